package dev.berth.gateway.audit;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which requests the audit log records, and as what: manifest PUT (push), GET (pull) and DELETE,
 * blob upload completion (PUT or single POST with {@code ?digest=}, cross-repository mount) and
 * blob DELETE under /v2, every mutation under /api/v1 (admin). HEAD, blob GETs, upload chunks
 * and reads of the API are not audited: they change nothing and would drown the rest.
 */
record AuditedRequest(String action, String target, String repository, String reference, String digest,
                      String detail) {

    private static final Pattern MANIFEST = Pattern.compile("^/v2/(.+)/manifests/([^/]+)$");
    private static final Pattern UPLOAD = Pattern.compile("^/v2/(.+)/blobs/uploads/([^/]*)$");
    private static final Pattern BLOB = Pattern.compile("^/v2/(.+)/blobs/([^/]+)$");

    /** What {@code req} is to the audit log, or null when it is not audited. */
    static AuditedRequest of(HttpServerRequest req) {
        String path = req.path();
        HttpMethod method = req.method();
        if (path.startsWith("/api/v1/")) {
            boolean mutation = method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH
                    || method == HttpMethod.DELETE;
            return mutation ? new AuditedRequest(AuditEntry.ADMIN, "api", null, null, null, method + " " + path) : null;
        }
        Matcher m = MANIFEST.matcher(path);
        if (m.matches()) {
            String action = method == HttpMethod.GET ? AuditEntry.PULL
                    : method == HttpMethod.PUT ? AuditEntry.PUSH
                    : method == HttpMethod.DELETE ? AuditEntry.DELETE : null;
            String reference = m.group(2);
            return action == null ? null : new AuditedRequest(action, "manifest", m.group(1), reference,
                    reference.contains(":") ? reference : null, null);
        }
        m = UPLOAD.matcher(path);
        if (m.matches()) {
            String digest = req.getParam("digest");
            String mount = req.getParam("mount");
            if (method == HttpMethod.POST && mount != null) {
                return new AuditedRequest(AuditEntry.PUSH, "blob", m.group(1), null, mount,
                        "mount from " + req.getParam("from"));
            }
            boolean completes = digest != null && (method == HttpMethod.PUT || method == HttpMethod.POST);
            return completes ? new AuditedRequest(AuditEntry.PUSH, "blob", m.group(1), null, digest, null) : null;
        }
        m = BLOB.matcher(path);
        if (m.matches() && method == HttpMethod.DELETE) {
            return new AuditedRequest(AuditEntry.DELETE, "blob", m.group(1), null, m.group(2), null);
        }
        return null;
    }
}
