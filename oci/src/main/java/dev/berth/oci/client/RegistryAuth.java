package dev.berth.oci.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers registry auth challenges: Basic with the configured credentials, Bearer by fetching a token
 * from the realm the registry names (anonymously, or with Basic credentials when configured), as the
 * distribution token spec describes. Headers are cached per repository and refreshed on the next 401.
 */
final class RegistryAuth {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TOKEN_RESPONSE = 1 << 20;

    private final HttpClient http;
    private final Map<String, Credentials> credentials;
    private final Duration timeout;
    private final String userAgent;
    private final Map<String, String> cache = new ConcurrentHashMap<>();

    RegistryAuth(HttpClient http, Map<String, Credentials> credentials, Duration timeout, String userAgent) {
        this.http = http;
        this.credentials = Map.copyOf(credentials);
        this.timeout = timeout;
        this.userAgent = userAgent;
    }

    /** The Authorization header that worked last time for this repository, or null. */
    String cached(ImageReference ref) {
        return cache.get(key(ref));
    }

    /**
     * Works out the Authorization header to retry with after a 401, or null when there is nothing new
     * to try (no challenge we understand, or the same answer was already refused).
     */
    String answer(ImageReference ref, List<String> challenges, String refused) throws IOException {
        AuthChallenge challenge = AuthChallenge.choose(challenges).orElse(null);
        if (challenge == null) {
            return null;
        }
        Credentials creds = credentials.get(ref.registry());
        String header;
        if (challenge.scheme().equals("basic")) {
            if (creds == null) {
                throw new RegistryException(401, "UNAUTHORIZED",
                        ref.registry() + " asks for a password and no credentials are configured for it");
            }
            header = creds.basicHeader();
        } else {
            header = "Bearer " + fetchToken(ref, challenge, creds);
        }
        if (header.equals(refused)) {
            return null;
        }
        cache.put(key(ref), header);
        return header;
    }

    void forget(ImageReference ref) {
        cache.remove(key(ref));
    }

    private String fetchToken(ImageReference ref, AuthChallenge challenge, Credentials creds) throws IOException {
        String realm = challenge.param("realm");
        if (realm == null || realm.isEmpty()) {
            throw new RegistryException(401, "UNAUTHORIZED", ref.registry() + " sent a Bearer challenge without a realm");
        }
        URI realmUri = URI.create(realm);
        if (!"https".equals(realmUri.getScheme()) && !"http".equals(realmUri.getScheme())) {
            throw new RegistryException(401, "UNAUTHORIZED", "token realm is not an http(s) URL: " + realm);
        }
        StringBuilder query = new StringBuilder();
        if (challenge.param("service") != null) {
            query.append("service=").append(encode(challenge.param("service")));
        }
        String scope = challenge.param("scope");
        if (scope == null || scope.isEmpty()) {
            scope = "repository:" + ref.repository() + ":pull";
        }
        for (String one : scope.split(" ")) {
            if (!one.isEmpty()) {
                query.append(query.length() == 0 ? "" : "&").append("scope=").append(encode(one));
            }
        }
        String separator = realm.contains("?") ? "&" : "?";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(realm + separator + query))
                .timeout(timeout)
                .header("User-Agent", userAgent)
                .GET();
        if (creds != null) {
            // A password crosses the network in clear only to a token service on this machine.
            if (!"https".equals(realmUri.getScheme()) && !ImageReference.isLoopbackHost(realmUri.getHost())) {
                throw new RegistryException(401, "UNAUTHORIZED",
                        "refusing to send credentials to a plain-http token realm: " + realm);
            }
            request.header("Authorization", creds.basicHeader());
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching a token from " + realm, e);
        }
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_TOKEN_RESPONSE);
        }
        if (response.statusCode() != 200) {
            throw new RegistryException(response.statusCode(), "UNAUTHORIZED",
                    "token service " + realm + " answered HTTP " + response.statusCode() + " for " + scope);
        }
        JsonNode json = JSON.readTree(body);
        String token = json.path("token").asText("");
        if (token.isEmpty()) {
            token = json.path("access_token").asText("");
        }
        if (token.isEmpty()) {
            throw new RegistryException(200, "UNAUTHORIZED", "token service " + realm + " returned no token");
        }
        return token;
    }

    private static String key(ImageReference ref) {
        return ref.registry() + "/" + ref.repository();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
