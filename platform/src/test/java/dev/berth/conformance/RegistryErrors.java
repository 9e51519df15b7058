package dev.berth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Assertions on the distribution-spec error envelope: {"errors":[{"code","message","detail"}]}. */
final class RegistryErrors {

    private RegistryErrors() {
    }

    /**
     * Asserts the status and that the body is a well-formed error envelope in which some error carries one of
     * the accepted codes (more than one only where the spec itself allows a choice).
     */
    static void assertError(HttpResponse<byte[]> response, int status, String... acceptedCodes) {
        String body = RegistryHttp.bodyText(response);
        assertThat(response.statusCode())
                .as("status of %s %s (body: %s)", response.request().method(), response.uri(), body)
                .isEqualTo(status);
        JsonObject envelope;
        try {
            envelope = new JsonObject(body);
        } catch (DecodeException e) {
            throw new AssertionError("error body of " + response.uri() + " is not JSON: " + body, e);
        }
        JsonArray errors = envelope.getJsonArray("errors");
        assertThat(errors).as("'errors' array in %s", body).isNotNull().isNotEmpty();
        for (Object entry : errors) {
            assertThat(entry).as("error entry in %s", body).isInstanceOf(JsonObject.class);
            JsonObject error = (JsonObject) entry;
            assertThat(error.getValue("code")).as("code in %s", body).isInstanceOf(String.class);
            assertThat(error.getString("code")).as("code in %s", body).matches("[A-Z_]+");
            if (error.containsKey("message")) {
                assertThat(error.getValue("message")).as("message in %s", body).isInstanceOf(String.class);
            }
        }
        List<String> codes = errors.stream().map(error -> ((JsonObject) error).getString("code")).toList();
        assertThat(codes).as("error codes in %s", body).containsAnyElementsOf(List.of(acceptedCodes));
    }

    /** HEAD has no body, so only the status can say what went wrong. */
    static void assertHeadStatus(HttpResponse<byte[]> response, int status) {
        assertThat(response.statusCode()).as("status of HEAD %s", response.uri()).isEqualTo(status);
        assertThat(response.body()).as("HEAD response body").isEmpty();
    }
}
