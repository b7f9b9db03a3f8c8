package dev.sentinel.safety;

import dev.sentinel.engine.EngineException;
import dev.sentinel.engine.FaceAge;
import dev.sentinel.engine.FaceAges;
import dev.sentinel.engine.ImageInput;
import dev.sentinel.engine.ModerationLabel;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.Reason;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.policy.Taxonomy;
import dev.sentinel.verdict.Provenance;
import dev.sentinel.verdict.SafetyFindings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Child-safety and synthetic-intimate-imagery signals, combined with the engine's labels. Rekognition's taxonomy
 * has no "minor" label and does not detect AI generation, so:
 *
 * <ul>
 *   <li>Only when an image carries a sexual or nudity label (under Explicit, Non-Explicit Nudity of Intimate parts
 *       and Kissing, or Swimwear or Underwear, at 50% or more) are face ages estimated — to save cost.</li>
 *   <li>A face whose estimated age range starts below {@link SafetySettings#minorAgeBelow()} makes the image
 *       CHILD_SAFETY. The estimate is a reason to escalate to people, never a finding; the reason says so.</li>
 *   <li>Sexual content with a detected face and metadata declaring AI generation is suspected non-consensual
 *       synthetic intimate imagery: QUARANTINE and priority review.</li>
 * </ul>
 * Signals only ever raise the action.
 */
public final class SafetySignals {

    static final List<String> SEXUAL_CATEGORIES = List.of("Explicit",
            "Non-Explicit Nudity of Intimate parts and Kissing", "Swimwear or Underwear");
    static final double SEXUAL_SIGNAL_MIN_CONFIDENCE = 50;

    /** What the signals add: findings to record, reasons, the action they require, and whether review is urgent. */
    public record Outcome(SafetyFindings findings, List<Reason> reasons, Action atLeast, boolean priorityReview) {

        public static final Outcome NOTHING = new Outcome(null, List.of(), Action.ALLOW, false);
    }

    private final FaceAges faces;
    private final ProvenanceReader provenance;
    private final SafetySettings settings;
    private final Taxonomy taxonomy;
    private final dev.sentinel.likeness.LikenessGuard likeness;

    /** @param faces null where no face-age service is available (the embedded engine alone, offline) */
    public SafetySignals(FaceAges faces, ProvenanceReader provenance, SafetySettings settings, Taxonomy taxonomy) {
        this(faces, provenance, settings, taxonomy, null);
    }

    /** @param likeness searches the faces of sexual images among registered likenesses; null where that is off */
    public SafetySignals(FaceAges faces, ProvenanceReader provenance, SafetySettings settings, Taxonomy taxonomy,
                         dev.sentinel.likeness.LikenessGuard likeness) {
        this.faces = faces;
        this.provenance = provenance;
        this.settings = settings;
        this.taxonomy = taxonomy;
        this.likeness = likeness;
    }

    public SafetySettings settings() {
        return settings;
    }

    public Outcome assess(List<ModerationLabel> labels, ImageInput image) {
        Optional<ModerationLabel> sexual = labels.stream()
                .filter(l -> l.confidence() >= SEXUAL_SIGNAL_MIN_CONFIDENCE)
                .filter(l -> taxonomy.selfAndAncestors(l.name()).stream().anyMatch(SEXUAL_CATEGORIES::contains)
                        || SEXUAL_CATEGORIES.contains(l.parentName()))
                .max(java.util.Comparator.comparingDouble(ModerationLabel::confidence));
        if (sexual.isEmpty()) {
            return Outcome.NOTHING;
        }
        Provenance made = provenance.read(image.bytes());
        List<Reason> reasons = new ArrayList<>();
        List<FaceAge> ages = List.of();
        boolean checked = false;
        Action atLeast = Action.ALLOW;
        if (faces != null) {
            try {
                ages = faces.detect(image);
                checked = true;
            } catch (EngineException e) {
                if (e.kind() == EngineException.Kind.UNAVAILABLE) {
                    throw e;
                }
            }
        }
        ModerationLabel label = sexual.get();
        if (!checked) {
            atLeast = Action.REVIEW;
            reasons.add(new Reason(ReasonCode.FACES_NOT_CHECKED, String.format(Locale.ROOT, "'%s' was detected "
                    + "(%.1f%%) but the ages of any faces could not be estimated; a person must look.", label.name(),
                    label.confidence()), Action.REVIEW, true, label.name(), label.confidence(), null, null,
                    "Child protection: sexual content is published only when no minor may be shown."));
        }
        int youngest = ages.stream().mapToInt(FaceAge::low).min().orElse(Integer.MAX_VALUE);
        if (youngest < settings.minorAgeBelow()) {
            atLeast = Action.CHILD_SAFETY;
            reasons.add(new Reason(ReasonCode.CHILD_SAFETY_SIGNAL, String.format(Locale.ROOT, "'%s' was detected "
                    + "(%.1f%%) together with a face whose estimated age range starts at %d, below %d. Age estimates "
                    + "are approximate: this escalates the image to trained people under legal hold; it is not a "
                    + "finding that a minor is shown.", label.name(), label.confidence(), youngest,
                    settings.minorAgeBelow()), Action.CHILD_SAFETY, true, label.name(), label.confidence(), null,
                    null, "Law and terms of service: sexual content involving minors is prohibited and is preserved "
                    + "for reporting."));
        }
        boolean priority = false;
        if (!ages.isEmpty() && made.synthetic() && !taxonomy.selfAndAncestors(label.name()).contains(
                "Swimwear or Underwear")) {
            atLeast = Action.mostSevere(atLeast, Action.QUARANTINE);
            priority = true;
            reasons.add(new Reason(ReasonCode.SUSPECTED_SYNTHETIC_INTIMATE, String.format(Locale.ROOT, "'%s' was "
                    + "detected (%.1f%%) on an image with a real-looking face whose metadata declares AI generation "
                    + "(%s): suspected non-consensual synthetic intimate imagery, quarantined for priority review.",
                    label.name(), label.confidence(), describe(made)), Action.QUARANTINE, true, label.name(),
                    label.confidence(), null, null, "Law (e.g. TAKE IT DOWN Act) and terms of service: intimate "
                    + "images of real people made without consent are not allowed."));
        }
        // Likeness hook: the same gate as face ages; a registered face raises the action, never lowers it.
        if (likeness != null) {
            dev.sentinel.likeness.LikenessGuard.Outcome registered = likeness.check(image);
            reasons.addAll(registered.reasons());
            atLeast = Action.mostSevere(atLeast, registered.atLeast());
            priority |= registered.priorityReview();
        }
        return new Outcome(new SafetyFindings(checked, ages, made), reasons, atLeast, priority);
    }

    private static String describe(Provenance p) {
        List<String> parts = new ArrayList<>();
        if (p.digitalSourceType() != null) {
            parts.add("DigitalSourceType " + p.digitalSourceType());
        }
        if (!p.generatorMarkers().isEmpty()) {
            parts.add("generator " + String.join(", ", p.generatorMarkers()));
        }
        if (p.c2paManifest()) {
            parts.add("C2PA manifest");
        }
        return String.join("; ", parts);
    }
}
