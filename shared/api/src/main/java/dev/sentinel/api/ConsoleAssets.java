package dev.sentinel.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The reviewer console's static files, bundled in the library and served by the review API (and by the local
 * runner). A fixed list of names, so no path from a request ever reaches the class path; a strict content
 * security policy, so the page runs only its own script and talks only to its own API.
 */
public final class ConsoleAssets {

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final Map<String, String> TYPES = Map.of(
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");

    private static final ConsoleAssets BUNDLED = new ConsoleAssets();

    private final String index = read("index.html");
    private final Map<String, String> assets = Map.of("console.js", read("console.js"),
            "console.css", read("console.css"));

    private ConsoleAssets() {
    }

    public static ConsoleAssets bundled() {
        return BUNDLED;
    }

    /** {@code GET /console} and {@code GET /console/{asset}}, open to anyone (see {@link Router#addStaticAsset}). */
    public Router register(Router router) {
        return router.addStaticAsset("GET /console", this::index).addStaticAsset("GET /console/{asset}", this::asset);
    }

    public ApiResponse index(ApiRequest request) {
        return new ApiResponse(200, "text/html; charset=utf-8", index, headers());
    }

    public ApiResponse asset(ApiRequest request) {
        String name = request.path("asset");
        String body = assets.get(name);
        if (body == null) {
            return ApiResponse.problem(ApiProblem.notFound("no such console asset"));
        }
        return new ApiResponse(200, TYPES.get(name), body, headers());
    }

    private static Map<String, String> headers() {
        return Map.of("content-security-policy", CONTENT_SECURITY_POLICY, "referrer-policy", "no-referrer",
                "x-frame-options", "DENY");
    }

    private static String read(String name) {
        try (InputStream in = ConsoleAssets.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console asset " + name + " is not bundled");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
