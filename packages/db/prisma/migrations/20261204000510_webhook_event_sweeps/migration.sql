-- How many times the sweep gave a stored X event a fresh job after its own job gave up: bounded,
-- then the event is marked failed with the reason (operators see it, nothing loops forever).
ALTER TABLE "webhook_events" ADD COLUMN "sweeps" INTEGER NOT NULL DEFAULT 0;
