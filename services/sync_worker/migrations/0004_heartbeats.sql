-- Each replica's heartbeat, for operators ("which workers are alive, how busy").
CREATE TABLE worker_heartbeats (
    worker_id  text PRIMARY KEY,
    last_seen  timestamptz NOT NULL,
    in_flight  integer NOT NULL DEFAULT 0
);
