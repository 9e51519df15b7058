package dev.berth.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.berth.infra.HostTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The runtime spec's own JSON schemas, as Debian's golang-github-opencontainers-specs-dev installs them
 * (not copied into this repository), for validating the config.json files the agent writes.
 */
public final class RuntimeSchema {

    private static final Path SCHEMA =
            Path.of("/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema/config-schema.json");

    private RuntimeSchema() {
    }

    /** The schema violations of a config.json tree; empty when it is valid. */
    public static Set<ValidationMessage> violations(JsonNode config) {
        if (!Files.isRegularFile(SCHEMA)) {
            HostTools.unavailable("the runtime-spec schemas (Debian golang-github-opencontainers-specs-dev) are not installed");
        }
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4)
                .getSchema(SchemaLocation.of(SCHEMA.toUri().toString()));
        return schema.validate(config);
    }
}
