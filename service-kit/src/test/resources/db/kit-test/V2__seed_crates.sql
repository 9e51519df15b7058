INSERT INTO crate (label) VALUES ('alpha'), ('beta');
