-- Token-signing keys, shared by every instance. Only the connecting (owner) role reads
-- them; the application role that runs people's data statements has no grant here.
CREATE TABLE signing_keys (
    kid         text PRIMARY KEY,
    private_pem text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON signing_keys FROM PUBLIC;
