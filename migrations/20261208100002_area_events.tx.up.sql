{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
-- The calendar of a work area: meetings and training sessions (with a capacity, registrations
-- and attendance), and their materials (documents of the area's library).
CREATE TABLE area_events (
    id {{template "pk" .}},
    area_id BIGINT NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    kind VARCHAR(20) NOT NULL CHECK (kind IN ('meeting', 'training')),
    title VARCHAR(200) NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_at {{template "ts" .}} NOT NULL,
    ends_at {{template "ts" .}} NOT NULL,
    place VARCHAR(500) NOT NULL DEFAULT '',
    capacity INTEGER NOT NULL DEFAULT 0,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX area_events_area ON area_events (area_id, starts_at);
--bun:split
CREATE TABLE area_event_registrations (
    event_id BIGINT NOT NULL REFERENCES area_events (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    registered_at {{template "ts" .}} NOT NULL,
    attended BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (event_id, user_id)
);
--bun:split
CREATE TABLE area_event_materials (
    event_id BIGINT NOT NULL REFERENCES area_events (id) ON DELETE CASCADE,
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, document_id)
);
