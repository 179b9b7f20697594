-- The store as releases before schema versioning created it (four tables). IF NOT EXISTS:
-- on such a store this step changes nothing and only records version 1.
CREATE TABLE IF NOT EXISTS documents (
    sha256 VARCHAR(64) NOT NULL,
    file TEXT NOT NULL,
    json_file TEXT,
    schema_version TEXT NOT NULL,
    pipeline_version TEXT NOT NULL,
    media_type TEXT,
    format TEXT,
    size_bytes BIGINT,
    pages INTEGER,
    ocr BOOLEAN,
    title TEXT,
    issuer TEXT,
    issuer_key TEXT,
    region TEXT,
    year INTEGER,
    template TEXT,
    template_active_disclosure TEXT,
    template_requests TEXT,
    template_review_litigation TEXT,
    status TEXT NOT NULL,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    PRIMARY KEY (sha256)
);
CREATE TABLE IF NOT EXISTS sections (
    sha256 VARCHAR(64) NOT NULL,
    ordinal INTEGER NOT NULL,
    level INTEGER NOT NULL,
    number TEXT,
    heading TEXT NOT NULL,
    category TEXT NOT NULL,
    text TEXT,
    page INTEGER,
    PRIMARY KEY (sha256, ordinal)
);
CREATE TABLE IF NOT EXISTS cells (
    sha256 VARCHAR(64) NOT NULL,
    table_name TEXT NOT NULL,
    row_key TEXT NOT NULL,
    column_key TEXT NOT NULL,
    value DOUBLE PRECISION,
    raw TEXT,
    page INTEGER,
    confidence DOUBLE PRECISION,
    source_table INTEGER,
    grid_row INTEGER,
    grid_col INTEGER,
    note TEXT,
    PRIMARY KEY (sha256, table_name, row_key, column_key)
);
CREATE TABLE IF NOT EXISTS checks (
    sha256 VARCHAR(64) NOT NULL,
    origin TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    rule TEXT NOT NULL,
    scope TEXT NOT NULL,
    status TEXT NOT NULL,
    expected DOUBLE PRECISION,
    actual DOUBLE PRECISION,
    message TEXT,
    other_sha256 VARCHAR(64),
    PRIMARY KEY (sha256, origin, ordinal)
);
