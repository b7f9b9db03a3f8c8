package dev.sentinel.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.engine.ModerationLabel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyTest {

    private final Policy policy = new PolicyLoader().load(PolicyLoader.DEFAULT_SOURCE);

    @Test
    void defaultPolicyActsAsDocumentedPerCategory() {
        assertEquals(Action.QUARANTINE, decide(label("Explicit", "", 1, 80)));
        assertEquals(Action.REVIEW, decide(label("Non-Explicit Nudity", "Non-Explicit Nudity of Intimate parts and "
                + "Kissing", 2, 80)));
        assertEquals(Action.ALLOW, decide(label("Female Swimwear or Underwear", "Swimwear or Underwear", 2, 99)));
        assertEquals(Action.QUARANTINE, decide(label("Graphic Violence", "Violence", 2, 75)));
        assertEquals(Action.REVIEW, decide(label("Hate Symbols", "", 1, 65)));
        assertEquals(Action.ALLOW, decide());
    }

    @Test
    void thresholdIsInclusive() {
        assertEquals(Action.QUARANTINE, decide(label("Explicit", "", 1, 60.0)));
        assertEquals(Action.ALLOW, decide(label("Explicit", "", 1, 59.99)));
    }

    @Test
    void deepLabelsFireTheRuleOfTheirCategory() {
        PolicyDecision decision = policy.evaluate(List.of(
                label("Exposed Female Genitalia", "Explicit Nudity", 3, 88.4)));

        assertEquals(Action.QUARANTINE, decision.action());
        Reason reason = decision.reasons().get(0);
        assertEquals("Explicit", reason.rule());
        assertEquals("Exposed Female Genitalia", reason.label());
        assertEquals(88.4, reason.confidence(), 1e-9);
        assertEquals(60.0, reason.threshold(), 1e-9);
        assertTrue(reason.automated());
        assertTrue(reason.text().contains("a kind of 'Explicit'"), reason.text());
    }

    @Test
    void mostSevereActionWinsAndEveryFiredRuleIsAReason() {
        PolicyDecision decision = policy.evaluate(List.of(
                label("Female Swimwear or Underwear", "Swimwear or Underwear", 2, 97),
                label("Non-Explicit Nudity", "Non-Explicit Nudity of Intimate parts and Kissing", 2, 72),
                label("Explicit", "", 1, 64)));

        assertEquals(Action.QUARANTINE, decision.action());
        assertEquals(3, decision.reasons().size());
        assertEquals(policy.version(), decision.policyVersion());
    }

    @Test
    void oneReasonPerRuleFromItsStrongestLabel() {
        PolicyDecision decision = policy.evaluate(List.of(
                label("Explicit", "", 1, 91), label("Explicit Nudity", "Explicit", 2, 95),
                label("Exposed Male Genitalia", "Explicit Nudity", 3, 70)));

        assertEquals(1, decision.reasons().size());
        assertEquals("Explicit Nudity", decision.reasons().get(0).label());
        assertEquals(95, decision.reasons().get(0).confidence(), 1e-9);
    }

    @Test
    void taxonomySixNamesFromOldAdaptersAreMapped() {
        assertEquals(Action.QUARANTINE, decide(label("Explicit Nudity", "", 1, 90)));
        assertEquals(Action.QUARANTINE, decide(label("Graphic Female Nudity", "Explicit Nudity", 2, 90)));
        assertEquals(Action.REVIEW, decide(label("Suggestive", "", 1, 90)));
        assertEquals(Action.REVIEW, decide(label("Revealing Clothes", "Suggestive", 2, 90)));
        assertEquals(Action.QUARANTINE, decide(label("Graphic Violence Or Gore", "Violence", 2, 90)));
    }

    @Test
    void unknownLabelIsHeldForAPersonNotIgnored() {
        PolicyDecision decision = policy.evaluate(List.of(label("Brand New Category", "", 1, 77)));

        assertEquals(Action.REVIEW, decision.action());
        assertEquals(ReasonCode.UNRECOGNIZED_LABEL, decision.reasons().get(0).code());
    }

    @Test
    void newLabelUnderAKnownParentFollowsTheParentsRule() {
        assertEquals(Action.QUARANTINE, decide(label("Some Future Explicit Label", "Explicit Nudity", 3, 90)));
    }

    @Test
    void lowestThresholdIsWhatTheEngineMustReport() {
        assertEquals(50.0, policy.lowestThreshold(), 1e-9);
    }

    @Test
    void policyFromAFileIsLoadedAndItsVersionRecorded(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strict.json");
        Files.writeString(file, """
                {"policyVersion": "strict/1", "rules": [
                  {"label": "Swimwear or Underwear", "minConfidence": 40, "action": "REVIEW", "ground": "strict"},
                  {"label": "explicit", "minConfidence": 30, "action": "QUARANTINE"}]}
                """, StandardCharsets.UTF_8);

        Policy strict = new PolicyLoader().load("file:" + file);

        assertEquals("strict/1", strict.version());
        assertEquals(Action.REVIEW, strict.evaluate(List.of(
                label("Female Swimwear or Underwear", "Swimwear or Underwear", 2, 45))).action());
        assertEquals("Explicit", strict.rules().get(1).label(), "label names are matched case-insensitively");
        assertEquals(30.0, strict.lowestThreshold(), 1e-9);
    }

    @Test
    void invalidPoliciesAreRefusedWithEveryProblemNamed() {
        PolicyException e = assertThrows(PolicyException.class, () -> new PolicyLoader().parse("""
                {"taxonomy": "rekognition-moderation-v5", "rules": [
                  {"label": "Explicitt", "minConfidence": 60, "action": "QUARANTINE"},
                  {"label": "Alcohol", "minConfidence": 160, "action": "ALLOW"},
                  {"label": "Weapons", "minConfidence": 50}]}
                """.getBytes(StandardCharsets.UTF_8), "test.json"));

        for (String problem : List.of("policyVersion is missing", "rekognition-moderation-v5", "'Explicitt'",
                "rules[1]: minConfidence", "rules[2]: action is missing")) {
            assertTrue(e.getMessage().contains(problem), problem + " in: " + e.getMessage());
        }
    }

    @Test
    void brokenJsonAndMissingFilesGiveClearErrors() {
        PolicyException json = assertThrows(PolicyException.class,
                () -> new PolicyLoader().parse("{\"rules\": [".getBytes(StandardCharsets.UTF_8), "x.json"));
        assertTrue(json.getMessage().startsWith("policy x.json is not a valid policy document"), json.getMessage());
        PolicyException missing = assertThrows(PolicyException.class,
                () -> new PolicyLoader().load("file:/no/such/policy.json"));
        assertTrue(missing.getMessage().contains("could not be read"), missing.getMessage());
        PolicyException emptyRules = assertThrows(PolicyException.class, () -> new PolicyLoader().parse(
                "{\"policyVersion\": \"v\", \"rules\": []}".getBytes(StandardCharsets.UTF_8), "empty.json"));
        assertTrue(emptyRules.getMessage().contains("would publish everything"), emptyRules.getMessage());
    }

    private Action decide(ModerationLabel... labels) {
        return policy.evaluate(List.of(labels)).action();
    }

    private static ModerationLabel label(String name, String parent, int level, double confidence) {
        return new ModerationLabel(name, parent, level, confidence);
    }
}
