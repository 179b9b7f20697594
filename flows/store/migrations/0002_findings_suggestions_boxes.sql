-- Version 2: what version 1 dropped. Cell boxes, the texts of warnings and errors
-- (`findings`), and the suggestions. Rows of documents loaded under version 1 get
-- these only when they are loaded again (`nianbao load` reloads every JSON).
ALTER TABLE cells ADD COLUMN bbox_x0 DOUBLE PRECISION;
ALTER TABLE cells ADD COLUMN bbox_top DOUBLE PRECISION;
ALTER TABLE cells ADD COLUMN bbox_x1 DOUBLE PRECISION;
ALTER TABLE cells ADD COLUMN bbox_bottom DOUBLE PRECISION;
CREATE TABLE findings (
    sha256 VARCHAR(64) NOT NULL,
    severity TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    scope TEXT,
    page INTEGER,
    component TEXT,
    PRIMARY KEY (sha256, severity, ordinal)
);
CREATE TABLE suggestions (
    sha256 VARCHAR(64) NOT NULL,
    ordinal INTEGER NOT NULL,
    scope TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    because TEXT NOT NULL,
    PRIMARY KEY (sha256, ordinal)
);
