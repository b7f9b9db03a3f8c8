package dev.sentinel.scan;

import dev.sentinel.log.StructuredLog;
import static dev.sentinel.scan.ScanFixture.explicit;
import static dev.sentinel.scan.ScanFixture.partialNudity;
import static dev.sentinel.scan.ScanFixture.swimwear;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.Policy;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.queue.PrefixRescan;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rescanning a prefix after a policy change: stricter outcomes are carried out at once, looser ones wait for a
 * person, people's decisions and other prefixes are untouched, and uploads held because the engine was down are
 * finally judged.
 */
class RescanTest {

    private final ScanFixture fx = new ScanFixture();
    private final byte[] swim = TestAws.photo("reg-test-input_labelme-subset_q0003.jpg");
    private final byte[] partial = TestAws.photo("reg-test-input_labelme-subset_q0122.jpg");
    private final byte[] nude = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
    private final byte[] street = TestAws.photo("reg-test-input_labelme-subset_q0291.jpg");

    /** The default policy with swimwear quarantined and partial nudity allowed, under a new version. */
    private Policy changedPolicy() {
        String document = new String(readBundled(), StandardCharsets.UTF_8)
                .replace("\"policyVersion\": \"default-v7/2026-11-24\"", "\"policyVersion\": \"default-v7/2026-12-01\"")
                .replace("{ \"label\": \"Swimwear or Underwear\", \"minConfidence\": 50, \"action\": \"ALLOW\"",
                        "{ \"label\": \"Swimwear or Underwear\", \"minConfidence\": 50, \"action\": \"QUARANTINE\"")
                .replace("{ \"label\": \"Non-Explicit Nudity\", \"minConfidence\": 70, \"action\": \"REVIEW\"",
                        "{ \"label\": \"Non-Explicit Nudity\", \"minConfidence\": 70, \"action\": \"ALLOW\"");
        Policy changed = new PolicyLoader().parse(document.getBytes(StandardCharsets.UTF_8), "test");
        assertEquals("default-v7/2026-12-01", changed.version(), "the test's policy edit must take");
        return changed;
    }

    private static byte[] readBundled() {
        try (var in = PolicyLoader.class.getResourceAsStream("/policies/default-v7.json")) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private ScanService serviceUnder(Policy policy) {
        ObjectStore objects = fx.objects();
        return new ScanService(objects, fx.scanVerdicts, fx.engine(), policy, new Quarantine(objects,
                fx.quarantineBucket), fx.settings, Clock.systemUTC(), StructuredLog.discard());
    }

    /** Runs the whole prefix through the rescanner page by page, as the local runner does. */
    private Map<String, String> rescanAll(ScanService service, String prefix) {
        Map<String, String> changes = new LinkedHashMap<>();
        List<String> cursors = new ArrayList<>();
        // The operations function walks the prefix; the scan function rescans what it finds.
        PrefixRescan walk = new PrefixRescan(new S3ObjectStore(fx.as("OperationsApiFunction", Map.of()).s3()),
                fx.quarantineBucket);
        String cursor = null;
        do {
            PrefixRescan.Page page = walk.page(fx.uploads, prefix, cursor, 2, ref -> {
                ScanOutcome outcome = service.rescanner().rescan(ref);
                String key = ref.bucket().equals(fx.quarantineBucket)
                        ? ref.key().substring(fx.uploads.length() + 1) : ref.key();
                // An upload quarantined in this walk is met again among the quarantine copies: first sight counts.
                changes.putIfAbsent(key, describe(outcome));
            });
            cursor = page.nextCursor();
            cursors.add(String.valueOf(cursor));
        } while (cursor != null);
        assertTrue(cursors.size() >= 2, "uploads and quarantine copies are walked in turn: " + cursors);
        return changes;
    }

    private static String describe(ScanOutcome outcome) {
        if (outcome instanceof ScanOutcome.Rescanned rescanned) {
            return rescanned.change();
        }
        return outcome instanceof ScanOutcome.Decided ? "scanned"
                : outcome instanceof ScanOutcome.AlreadyDecided ? "finished" : "skipped";
    }

    @Test
    void policyChangeTightensAtOnceAndLoosensOnlyThroughAPerson() {
        fx.labels(swim, swimwear(91));
        fx.labels(partial, partialNudity(88));
        fx.labels(nude, explicit(97));
        ScanService before = fx.service();
        ObjectRef swimRef = decided(before, "batch/swim.jpg", swim, Action.ALLOW);
        decided(before, "batch/partial.jpg", partial, Action.REVIEW);
        decided(before, "batch/nude.jpg", nude, Action.QUARANTINE);
        decided(before, "other/swim.jpg", swim, Action.ALLOW);
        // Uploaded while notifications were lost: no verdict yet.
        fx.upload("batch/never-scanned.jpg", street);

        Map<String, String> changes = rescanAll(serviceUnder(changedPolicy()), "batch/");

        assertEquals(Map.of("batch/swim.jpg", "stricter", "batch/partial.jpg", "looser",
                "batch/nude.jpg", "unchanged", "batch/never-scanned.jpg", "scanned"), changes);
        Verdict swimNow = only("batch/swim.jpg");
        assertEquals(Action.QUARANTINE, swimNow.action());
        assertEquals(PlacementState.QUARANTINED, swimNow.placement().state());
        assertEquals(ReasonCode.POLICY_CHANGED, swimNow.reasons().get(0).code());
        assertEquals("default-v7/2026-12-01", swimNow.policyVersion());
        assertTrue(fx.aws.s3().listObjectVersions(b -> b.bucket(fx.uploads).prefix(swimRef.key())).versions()
                .isEmpty(), "the newly restricted upload left the uploads bucket");

        Verdict partialNow = only("batch/partial.jpg");
        assertEquals(Action.REVIEW, partialNow.action(), "a looser policy never releases on its own");
        assertEquals(PlacementState.HELD, partialNow.placement().state());
        assertEquals(ReviewStatus.PENDING, partialNow.review());
        assertEquals(ReasonCode.POLICY_CHANGED, partialNow.reasons().get(0).code());

        assertEquals("default-v7/2026-12-01", only("batch/nude.jpg").policyVersion());
        assertEquals(PlacementState.QUARANTINED, only("batch/nude.jpg").placement().state());
        assertEquals(Action.ALLOW, only("other/swim.jpg").action(), "outside the prefix nothing changes");

        // A second pass finds everything decided under the current policy.
        Map<String, String> again = rescanAll(serviceUnder(changedPolicy()), "batch/");
        assertTrue(again.values().stream().allMatch(c -> c.equals("skipped") || c.equals("unchanged")), again::toString);
        assertEquals(1, fx.verdicts.historyOf(fx.uploads, "batch/swim.jpg").size(), "still one verdict");
    }

    @Test
    void uploadsHeldForAnUnavailableEngineAreJudgedWhenItAnswers() {
        fx.labels(nude, explicit(97));
        fx.reply(nude, dev.sentinel.local.aws.RekognitionStandIn.serverError());
        ObjectEvent event = fx.upload("held/nude.jpg", nude);
        ScanOutcome held = fx.service().scan(event, fx.settings.retry().holdAfterAttempts());
        Verdict heldVerdict = assertInstanceOf(ScanOutcome.Decided.class, held).verdict();
        assertEquals(ReasonCode.ENGINE_UNAVAILABLE, heldVerdict.reasons().get(0).code());
        assertEquals(PlacementState.HELD, heldVerdict.placement().state());

        // Still down: the rescan fails (to be retried), the upload stays held.
        assertThrows(ScanFailedException.class, () -> fx.service().rescanner().rescan(event.object()));
        fx.labels(nude, explicit(97));

        ScanOutcome rescanned = fx.service().rescanner().rescan(event.object());
        assertEquals("decided", assertInstanceOf(ScanOutcome.Rescanned.class, rescanned).change());
        Verdict now = only("held/nude.jpg");
        assertEquals(Action.QUARANTINE, now.action());
        assertEquals(PlacementState.QUARANTINED, now.placement().state());
        assertTrue(now.labels().size() > 0, "the engine's labels are recorded");
    }

    @Test
    void peoplesDecisionsAreNotRescanned() {
        fx.labels(swim, swimwear(91));
        ObjectRef ref = decided(fx.service(), "reviewed/swim.jpg", swim, Action.ALLOW);
        Verdict verdict = only("reviewed/swim.jpg");
        Verdict confirmed = verdict.withCase(verdict.placement(), ReviewStatus.CONFIRMED, null, List.of(),
                List.of());
        fx.verdicts.update(verdict, confirmed);
        ScanOutcome outcome = serviceUnder(changedPolicy()).rescanner().rescan(ref);
        assertInstanceOf(ScanOutcome.Skipped.class, outcome);
        assertEquals(Action.ALLOW, only("reviewed/swim.jpg").action());
    }

    private ObjectRef decided(ScanService service, String key, byte[] content, Action expected) {
        ObjectEvent event = fx.upload(key, content);
        Verdict verdict = assertInstanceOf(ScanOutcome.Decided.class, service.scan(event)).verdict();
        assertEquals(expected, verdict.action(), key);
        return event.object();
    }

    private Verdict only(String key) {
        List<Verdict> verdicts = fx.verdicts.historyOf(fx.uploads, key);
        assertEquals(1, verdicts.size(), key);
        return verdicts.get(0);
    }
}
