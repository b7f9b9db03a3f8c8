package dev.sentinel.functions.likeness;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sentinel.api.HttpApiEvents;
import dev.sentinel.api.Router;
import dev.sentinel.likeness.registry.LikenessRegistry;
import dev.sentinel.runtime.Priming;
import dev.sentinel.wiring.FunctionEnvironment;
import dev.sentinel.wiring.LikenessWiring;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * Likeness registration: enrolment with consent, self-submitted hashes, renewal and withdrawal
 * (/likeness/registrations...), and reviewers' findings on matches. The only function that may index faces into
 * the collection or delete them. A schedule in the template invokes it daily to erase expired registrations.
 */
public final class LikenessApiHandler implements RequestStreamHandler {

    /** Built once per container, at class initialisation, and primed before the SnapStart snapshot. */
    private static final class Container {
        static final FunctionEnvironment ENV = FunctionEnvironment.lambda("likeness-api");
        static final LikenessRegistry REGISTRY = LikenessWiring.registry(ENV);
        static final Router ROUTER = LikenessWiring.router(ENV, REGISTRY);
        static final Priming PRIMING = Priming.beforeSnapshot(ENV.function(), () -> ROUTER.prime(
                "GET /likeness/registrations/{id}", Map.of("id", "lk-" + "0".repeat(32))), ENV.log());
    }

    private final Router router;
    private final Runnable scheduled;

    public LikenessApiHandler() {
        this(Container.ROUTER, Container.REGISTRY::expireDue);
    }

    /** @param scheduled the daily expiry check a scheduled event runs */
    public LikenessApiHandler(Router router, Runnable scheduled) {
        this.router = router;
        this.scheduled = scheduled;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        HttpApiEvents.respond(input, output, router, scheduled,
                context == null ? null : context.getAwsRequestId());
    }
}
