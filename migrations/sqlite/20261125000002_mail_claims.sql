-- Several app servers deliver from one queue: a server claims the messages it is about to
-- send until a time, and no other server takes them before then (no mail goes out twice).
ALTER TABLE mail_queue ADD COLUMN claimed_until TEXT;
