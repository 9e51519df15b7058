package dev.berth.gateway;

import io.vertx.ext.web.Router;

/**
 * A registry in the gateway's own JVM ({@code berth up}) whose routes the gateway serves itself, in two
 * parts so that the gateway's own routes can sit between them: registry traffic first, the REST API after
 * the gateway's admin API and its guard.
 */
public interface LocalRegistry {

  /** Adds the distribution API ({@code /v2}). */
  void mountDistribution(Router router);

  /** Adds the registry's REST API ({@code /api/v1/...}). */
  void mountRest(Router router);
}
