// Package redact removes personal data from a text — a resolved help-desk ticket or a
// concluded assistance request that becomes the draft of a knowledge-base article (FAQ) — and
// says what it removed, so that a person can review every removal before the draft goes to
// the newsroom. It is pure Go: no database, no other PAsS package, no HTML (Highlight returns
// segments for a template to mark).
//
// Redact(text, Options) returns the redacted text and the removals, each with its kind, the
// original words, their byte offsets in the original text and the placeholder written in
// their place ("[nome]", "[codice fiscale]", "[e-mail]", "[telefono]", "[indirizzo]", "[ente]",
// "[IBAN]", "[partita IVA]", "[data di nascita]" by default; Options.Placeholders overrides them). Finds that
// overlap are merged into one removal spanning them all, of the kind of the longest.
//
// # What is found
//
//   - Codici fiscali of people: 16 characters, upper or lower case, with the omocodia letters
//     in the digit places; only codes whose month, day and check character are valid count.
//   - E-mail addresses, PEC included, and the usual obfuscations: "mario.rossi [at] comune.it",
//     "(at)", "[chiocciola]", with "[dot]", "(dot)", "[punto]" in the domain.
//   - Phone numbers: landlines (0 and an area code, 02 1234567, 031-123456, 031/123 456,
//     0341.123456), mobiles (3xx, 333 123 4567, 3331234567), with +39, 0039 or "+39 (0)"
//     before them, and foreign numbers written with +CC. A landline needs eight digits or more
//     unless a word such as "tel.", "cell.", "fax", "chiamare" comes before it. Not phone
//     numbers: dates (03/12/2025, 31.12.2025), figures (1.234.567, 300.000.000, "€ …",
//     "… euro"), numbers after a reference word ("art.", "comma", "legge", "prot.", "CIG", "CUP",
//     "ISTAT", "codice", "pratica", "determina", "delibera", "IBAN", …, one of the two words
//     before it; "n." or "nr." right before it; after the word "numero" the shape decides),
//     number/year
//     (0001234/2025), 11-digit partite IVA, years, CAPs and ISTAT codes (too short), the
//     0-prefixed numbers that no area code starts (00…).
//   - Street addresses: a street word (via, viale, piazza, piazzale, corso, largo, vicolo,
//     strada, località, frazione, contrada, borgo, lungomare, salita, … and v.le, p.zza, p.le,
//     c.so, loc., fraz., …), a capitalised name (particles and initials inside: "via G.
//     Garibaldi", "piazza del Duomo", "via XX Settembre", "via 4 Novembre",
//     "via dell'Indipendenza"), a civic number ("12", "5/A", "2 bis", "n. 12", "12-14"), then an
//     optional CAP, city and province ("22063 Cantù (CO)", on the next line too). A street
//     without civic number counts only when a CAP follows ("località Cascina Nuova, 22010 Gera
//     Lario").
//   - Dates of birth: the first date (12/03/1985, 1.3.85, 12 marzo 1985) within a few words
//     after "nato", "nata", "nascita" on the same line.
//   - IBANs of Italy and San Marino, whole or in groups of four, mod-97 check verified.
//   - People's names introduced by a title or a role: sig., sig.ra, sig.na, dott., dott.ssa,
//     dr., ing., arch., avv., geom., prof., rag., p.i., f.to, …; "il sindaco", "la signora",
//     "l'assessore", "il collega", "il referente", "la dipendente", "sono", "mi chiamo", …
//     followed by one to three capitalised words (ALL CAPS too after an abbreviated title),
//     particles and initials inside ("Chiara De Luca", "M. Bianchi"). The title stays, the name
//     goes: "il dott. [nome]".
//   - Names in greetings and signatures: the capitalised words right after a greeting at the
//     start of a line, when punctuation or the end of the line follows them ("Buongiorno Mario,"
//     "Gentile Anna Bianchi,"); after a line ending with a closing formula ("Cordiali saluti",
//     "Distinti saluti", "Saluti", "Grazie", "Un saluto", "Best regards", …) the first of the
//     next two non-blank lines that is only one to three capitalised words (a title before them
//     allowed, a separator such as " - Ufficio Tecnico" after them), or the words after the
//     formula on the same line ("Cordiali saluti, Mario Rossi").
//   - Options.Names, the people the caller knows (requester, operators, experts, people in the
//     thread), wherever they appear: the name as given and surname first ("Mario Rossi", "Rossi
//     Mario", "Rossi, Mario"), in any case, across a line break; the initial of the first given
//     name with the surname ("M. Rossi", "M.Rossi", "Rossi M."); the surname alone and the first
//     given name alone ("Rossi", "Mario"). The shorter forms must be capitalised in the text, so
//     that "rossi" or "bianco" in running text is left alone, and the single words must have
//     three letters or more and not be a word of Options.Ente or an institutional word
//     ("Comune", "Regione", …). The surname is the last word with the particles before it ("Anna
//     Maria De Luca": "De Luca"), or what precedes a comma ("Bianchi, Gian Paolo"); titles
//     at the start of a given name are dropped ("Dott.ssa Anna Bianchi"); a one-word name
//     ("Beppe") follows the single-word rules.
//   - Options.Ente, the ente's names, wherever they appear in any case, only when given.
//
// # What is kept, and why
//
//   - Partite IVA and the numeric codici fiscali of enti and companies (11 digits with a valid
//     check digit): they are public data. Options.RemoveVAT removes them (a sole trader's).
//   - Enti and institutions ("Comune di Milano", "Regione Lombardia", "Provincia di Como"), task
//     forces, offices, roles, legal references, dates, amounts, protocol and procedure numbers
//     (CIG, CUP, ISTAT): they are what an FAQ is about. The ente goes only with Options.Ente.
//   - Toll-free and service numbers (800, 803, …): they are the ente's public contacts.
//   - Titles and roles before a removed name, so the sentence still reads.
//
// # Limits
//
// A person is found only through what marks them: a title, a role, a greeting, a signature or
// Options.Names. A name in running text without any of these ("ho sentito Giulia ieri") is not
// found; nor are lower-case street names ("via roma 12"), streets without civic number or CAP,
// codici fiscali with a typo (an invalid check character) or blanks inside, numbers written
// in words, places of birth, foreign IBANs, phone numbers with unusual grouping or right after
// "n." (read as a reference number), personal data inside URLs other than e-mail addresses.
// The finds are heuristics over Italian administrative writing: the removals are for a person
// to review, not a guarantee.
//
// The work is linear in the text: every scanner reads forward with bounded look-back and
// look-ahead, names are matched word by word through a map; a 1 MiB text takes well under a
// second (BenchmarkRedact measures a 100 KiB ticket thread).
package redact
