-- Every change of a user's role: who changed it, from what to what, when and why (the admin console lists them).
CREATE TABLE user_role_changes (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    old_role TEXT NOT NULL,
    new_role TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    reason TEXT,
    source TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX user_role_changes_user ON user_role_changes (user_id, created_at);
