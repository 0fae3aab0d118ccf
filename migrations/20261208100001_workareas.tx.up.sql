{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
-- A thematic work area of an associated service (Stazione Appaltante, Servizio Europa, …): its
-- members, its topics with their posts, and its library (the documents of its space, kind "area").
CREATE TABLE areas (
    id {{template "pk" .}},
    name VARCHAR(200) NOT NULL,
    service VARCHAR(200) NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users (id),
    created_at {{template "ts" .}} NOT NULL,
    updated_at {{template "ts" .}} NOT NULL
);
--bun:split
-- A member is an ente (all its enabled members, while it is approved) or a person, with a role.
CREATE TABLE area_members (
    id {{template "pk" .}},
    area_id BIGINT NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    ente_id BIGINT REFERENCES enti (id) ON DELETE CASCADE,
    role VARCHAR(20) NOT NULL,
    added_by BIGINT REFERENCES users (id),
    created_at {{template "ts" .}} NOT NULL,
    CHECK ((user_id IS NULL) <> (ente_id IS NULL)),
    CHECK (role IN ('coordinator', 'member', 'reader'))
);
--bun:split
CREATE UNIQUE INDEX area_members_user ON area_members (area_id, user_id);
--bun:split
CREATE UNIQUE INDEX area_members_ente ON area_members (area_id, ente_id);
--bun:split
CREATE INDEX area_members_by_user ON area_members (user_id);
--bun:split
CREATE INDEX area_members_by_ente ON area_members (ente_id);
--bun:split
-- The owner column of the spaces of kind "area". SQLite cannot drop a column that is a foreign
-- key (the down migration): there the column is plain and the area's space is removed with it by
-- the service; PostgreSQL keeps the reference.
ALTER TABLE spaces ADD COLUMN area_id BIGINT{{if eq .Dialect "pg"}} REFERENCES areas (id) ON DELETE CASCADE{{end}};
--bun:split
CREATE UNIQUE INDEX spaces_area ON spaces (area_id);
--bun:split
CREATE TABLE area_topics (
    id {{template "pk" .}},
    area_id BIGINT NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    title VARCHAR(200) NOT NULL,
    author_id BIGINT NOT NULL REFERENCES users (id),
    author VARCHAR(200) NOT NULL,
    replies INTEGER NOT NULL DEFAULT 0,
    created_at {{template "ts" .}} NOT NULL,
    last_post_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX area_topics_area ON area_topics (area_id, last_post_at);
--bun:split
-- The posts of a topic, its opening post first. A hidden post (moderated by a coordinator) is
-- kept, shown only to coordinators, and out of search.
CREATE TABLE area_posts (
    id {{template "pk" .}},
    topic_id BIGINT NOT NULL REFERENCES area_topics (id) ON DELETE CASCADE,
    area_id BIGINT NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES users (id),
    author VARCHAR(200) NOT NULL,
    body TEXT NOT NULL,
    document_id BIGINT REFERENCES documents (id) ON DELETE SET NULL,
    hidden_at {{template "ts" .}},
    hidden_by BIGINT REFERENCES users (id),
    created_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX area_posts_topic ON area_posts (topic_id, id);
