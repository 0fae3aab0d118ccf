{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
CREATE TABLE search_synonyms (
    id {{template "pk" .}},
    position INTEGER NOT NULL,
    words TEXT NOT NULL
);
--bun:split
INSERT INTO search_synonyms (position, words) VALUES
    (1, 'PNRR, piano nazionale di ripresa e resilienza'),
    (2, 'SUAP, sportello unico per le attività produttive'),
    (3, 'SUE, sportello unico per l''edilizia'),
    (4, 'VIA, valutazione di impatto ambientale'),
    (5, 'VAS, valutazione ambientale strategica'),
    (6, 'PAUR, provvedimento autorizzatorio unico regionale'),
    (7, 'AIA, autorizzazione integrata ambientale'),
    (8, 'AUA, autorizzazione unica ambientale'),
    (9, 'PGT, piano di governo del territorio'),
    (10, 'RUP, responsabile unico del progetto, responsabile unico del procedimento'),
    (11, 'CIG, codice identificativo di gara'),
    (12, 'CUP, codice unico di progetto'),
    (13, 'DURC, documento unico di regolarità contributiva'),
    (14, 'SCIA, segnalazione certificata di inizio attività'),
    (15, 'CILA, comunicazione di inizio lavori asseverata'),
    (16, 'ANAC, autorità nazionale anticorruzione'),
    (17, 'MePA, MEPA, mercato elettronico della pubblica amministrazione'),
    (18, 'CAD, codice dell''amministrazione digitale'),
    (19, 'PEC, posta elettronica certificata'),
    (20, 'DUP, documento unico di programmazione'),
    (21, 'SIN, siti di interesse nazionale'),
    (22, 'CdS, conferenza di servizi, conferenza dei servizi'),
    (23, 'DNSH, do no significant harm, non arrecare un danno significativo'),
    (24, 'PA, pubblica amministrazione');
