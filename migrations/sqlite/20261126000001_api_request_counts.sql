-- API rate limits: requests counted per caller (an API client, or the address of a caller
-- without a valid token) per one-minute window, in the database so that every app server
-- counts the same requests.
CREATE TABLE api_request_counts (
    key          TEXT    NOT NULL,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
) WITHOUT ROWID;
