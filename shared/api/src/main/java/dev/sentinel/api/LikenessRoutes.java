package dev.sentinel.api;

import dev.sentinel.cases.Actor;
import dev.sentinel.cases.CaseNotFoundException;
import dev.sentinel.likeness.Consent;
import dev.sentinel.likeness.LikenessMatch;
import dev.sentinel.likeness.LikenessMatches;
import dev.sentinel.likeness.LikenessUnavailableException;
import dev.sentinel.likeness.Registration;
import dev.sentinel.likeness.RegistrationChangedException;
import dev.sentinel.likeness.registry.LikenessRegistry;
import dev.sentinel.store.AuditEntry;
import dev.sentinel.store.AuditTrail;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.verdict.Verdict;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The likeness registration routes. Registrars manage every registration; a protected person only their own (any
 * other, existing or not, is refused alike, so a person cannot probe for others). Answers carry the consent record
 * and counts: never face ids, similarity scores or anything that searches for a person.
 */
public final class LikenessRoutes {

    static final String REGISTRATION_ID = "lk-[0-9a-f]{32}";

    /** The enrolment request body; photos are base64. */
    public record EnrolRequest(List<String> photos, Consent consent, String contact) { }

    public record HashesRequest(List<String> hashes) { }

    public record RenewRequest(Consent consent) { }

    public record FindingRequest(Boolean samePerson, String reason) { }

    private final LikenessRegistry registry;
    private final LikenessMatches matches;
    private final VerdictStore verdicts;
    private final AuditTrail audit;
    private final Clock clock;

    public LikenessRoutes(LikenessRegistry registry, LikenessMatches matches, VerdictStore verdicts, AuditTrail audit,
                          Clock clock) {
        this.registry = registry;
        this.matches = matches;
        this.verdicts = verdicts;
        this.audit = audit;
        this.clock = clock;
    }

    public Router register(Router router) {
        return router
                .add("POST /likeness/registrations", Groups.LIKENESS_ENROLLERS, this::enrol)
                .add("GET /likeness/registrations/{id}", Groups.LIKENESS_ENROLLERS, this::read)
                .add("POST /likeness/registrations/{id}/hashes", Groups.LIKENESS_ENROLLERS, this::addHashes)
                .add("POST /likeness/registrations/{id}/renewal", Groups.LIKENESS_ENROLLERS, this::renew)
                .add("DELETE /likeness/registrations/{id}", Groups.LIKENESS_ENROLLERS, this::withdraw)
                .add("POST /likeness/matches/{id}/finding", Groups.REVIEWERS, this::finding);
    }

    private ApiResponse enrol(ApiRequest request) {
        EnrolRequest body = Router.body(request, EnrolRequest.class);
        if (body.photos() == null || body.photos().isEmpty() || body.photos().size() > LikenessRegistry.MAX_PHOTOS) {
            throw ApiProblem.badRequest("photos: send 1 to " + LikenessRegistry.MAX_PHOTOS + " reference photos, "
                    + "base64");
        }
        List<byte[]> photos = new ArrayList<>();
        for (int i = 0; i < body.photos().size(); i++) {
            try {
                photos.add(Base64.getDecoder().decode(body.photos().get(i) == null ? "" : body.photos().get(i)));
            } catch (IllegalArgumentException e) {
                throw ApiProblem.badRequest("photo " + (i + 1) + " is not base64");
            }
        }
        Registration registration;
        try {
            registration = registry.enrol(new LikenessRegistry.Enrolment(photos, body.consent(), body.contact()),
                    request.caller(), selfOnly(request.caller()));
        } catch (LikenessRegistry.EnrolmentLimitException e) {
            throw new ApiProblem(429, "urn:sentinel:problem:rate-limited", "Too many enrolments", e.getMessage());
        }
        return ApiResponse.json(201, registration.view());
    }

    private ApiResponse read(ApiRequest request) {
        return ApiResponse.json(200, visible(request).view());
    }

    private ApiResponse addHashes(ApiRequest request) {
        Registration registration = visible(request);
        HashesRequest body = Router.body(request, HashesRequest.class);
        Registration next = unchanged(() -> registry.addHashes(registration.registrationId(), body.hashes(),
                request.caller()));
        return ApiResponse.json(200, next.view());
    }

    private ApiResponse renew(ApiRequest request) {
        Registration registration = visible(request);
        RenewRequest body = Router.body(request, RenewRequest.class);
        return ApiResponse.json(200, unchanged(() -> registry.renew(registration.registrationId(), body.consent(),
                request.caller(), selfOnly(request.caller()))).view());
    }

    private ApiResponse withdraw(ApiRequest request) {
        Registration registration = visible(request);
        try {
            return ApiResponse.json(200, unchanged(() -> registry.withdraw(registration.registrationId(),
                    request.caller())).view());
        } catch (LikenessUnavailableException e) {
            throw new ApiProblem(503, "urn:sentinel:problem:unavailable", "Try again later", "the faces or the "
                    + "alerts subscription could not all be removed now; the registration stays open until they are: "
                    + "send the same request again");
        }
    }

    /**
     * A reviewer records whether a likeness match on a verdict really shows the registered person. Counted in the
     * transparency report; the image's review itself goes on through the review routes.
     */
    private ApiResponse finding(ApiRequest request) {
        String verdictId = Inputs.verdictId(request.path("id"));
        FindingRequest body = Router.body(request, FindingRequest.class);
        if (body.samePerson() == null) {
            throw ApiProblem.badRequest("samePerson (true or false) is required");
        }
        String reason = Inputs.text(body.reason(), "reason", 2000);
        Verdict verdict = verdicts.find(verdictId).orElseThrow(() -> new CaseNotFoundException("no verdict "
                + verdictId));
        List<LikenessMatch> found = verdict.object().sha256() == null ? List.of()
                : matches.ofImage(verdict.object().sha256());
        if (found.isEmpty()) {
            throw ApiProblem.notFound("verdict " + verdictId + " has no likeness match");
        }
        String finding = body.samePerson() ? LikenessMatch.SAME_PERSON : LikenessMatch.NOT_THE_PERSON;
        for (LikenessMatch match : found) {
            matches.update(match.withFinding(finding, request.caller().subject(), clock.instant()));
        }
        audit.append(new AuditEntry(verdictId, clock.instant(), request.caller().subject(), request.caller().groups(),
                body.samePerson() ? "LIKENESS_CONFIRMED" : "LIKENESS_NOT_THE_PERSON", reason, null, null, null));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("verdictId", verdictId);
        answer.put("finding", finding);
        answer.put("matches", found.size());
        return ApiResponse.json(200, answer);
    }

    /**
     * The registration named in the path, if this caller may see it: registrars any, a protected person their own.
     * A person asking for any other gets the same refusal whether it exists or not.
     */
    private Registration visible(ApiRequest request) {
        String id = request.path("id");
        Actor caller = request.caller();
        boolean registrar = caller.inAny(List.of(Groups.LIKENESS_REGISTRAR));
        if (!id.matches(REGISTRATION_ID)) {
            if (registrar) {
                throw ApiProblem.badRequest("a registration id is lk- and 32 hex digits");
            }
            throw ApiProblem.forbidden();
        }
        try {
            Registration registration = registry.find(id);
            if (registrar || caller.subject().equals(registration.owner())) {
                return registration;
            }
        } catch (CaseNotFoundException e) {
            if (registrar) {
                throw e;
            }
        }
        throw ApiProblem.forbidden();
    }

    /** Runs an update of a registration; one changed meanwhile is a 409 to read again and retry. */
    private static Registration unchanged(java.util.function.Supplier<Registration> update) {
        try {
            return update.get();
        } catch (RegistrationChangedException e) {
            throw ApiProblem.conflict(e.getMessage());
        }
    }

    /** A caller who is only a protected person enrols and renews for themselves. */
    private static boolean selfOnly(Actor caller) {
        return !caller.inAny(List.of(Groups.LIKENESS_REGISTRAR));
    }
}
