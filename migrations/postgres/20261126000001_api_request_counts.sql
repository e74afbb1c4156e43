-- API rate limits: requests counted per caller (an API client, or the address of a caller
-- without a valid token) per one-minute window, in the database so that every app server
-- counts the same requests.
CREATE TABLE api_request_counts (
    key          text COLLATE "C" NOT NULL,
    window_start bigint NOT NULL,
    count        bigint NOT NULL,
    PRIMARY KEY (key, window_start)
);
