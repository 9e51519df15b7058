CREATE TABLE crate (
  id    bigserial PRIMARY KEY,
  label text NOT NULL UNIQUE
);
