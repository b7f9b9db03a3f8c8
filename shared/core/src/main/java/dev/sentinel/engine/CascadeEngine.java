package dev.sentinel.engine;

/**
 * A cheap engine screens every image; only images it does not call clearly safe go on to a second engine
 * (Rekognition), whose answer then decides.
 *
 * <p>"Clearly safe" means: the screen saw no label at or above {@code escalateAt} percent. The risk is one-sided: a
 * false negative of the screen (an unsafe image it scores below {@code escalateAt}) is published without the
 * second opinion. So the threshold is set low, from measurements of the screen on safe photos, trading Rekognition
 * calls for safety. An image the screen cannot read goes to the second engine rather than being held, since that
 * engine may read it.
 *
 * <p>The result names the path, {@code cascade/embedded} or {@code cascade/rekognition}, so each verdict records
 * which engine decided.
 */
public final class CascadeEngine implements ModerationEngine {

    public static final String NAME = "cascade";

    private final ModerationEngine screen;
    private final ModerationEngine confirm;
    private final double escalateAt;

    /**
     * @param escalateAt percent confidence of any screen label at which the image goes to {@code confirm}
     */
    public CascadeEngine(ModerationEngine screen, ModerationEngine confirm, double escalateAt) {
        if (!(escalateAt > 0 && escalateAt <= 100)) {
            throw new IllegalArgumentException("the cascade's escalation threshold must be within (0, 100], was "
                    + escalateAt);
        }
        this.screen = screen;
        this.confirm = confirm;
        this.escalateAt = escalateAt;
    }

    @Override
    public String name() {
        return NAME;
    }

    public double escalateAt() {
        return escalateAt;
    }

    @Override
    public ModerationResult detect(ImageInput image) {
        ModerationResult screened;
        try {
            screened = screen.detect(image);
        } catch (EngineException e) {
            return decidedBy(confirm, confirm.detect(image));
        }
        boolean clearlySafe = screened.labels().stream().allMatch(l -> l.confidence() < escalateAt);
        return clearlySafe ? decidedBy(screen, screened) : decidedBy(confirm, confirm.detect(image));
    }

    private static ModerationResult decidedBy(ModerationEngine engine, ModerationResult result) {
        return new ModerationResult(NAME + "/" + engine.name(), result.modelVersion(), result.labels());
    }
}
