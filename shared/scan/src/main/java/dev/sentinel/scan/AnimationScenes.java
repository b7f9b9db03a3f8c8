package dev.sentinel.scan;

import dev.sentinel.engine.ImageInput;
import dev.sentinel.engine.ModerationLabel;
import dev.sentinel.engine.ModerationResult;
import dev.sentinel.hash.PdqHash;
import dev.sentinel.hash.PdqHasher;
import dev.sentinel.image.ImageDecoder;
import dev.sentinel.image.ImageFormat;
import dev.sentinel.image.JpegCopies;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The distinct scenes of an animation, each to be judged: a benign first frame must not speak for explicit ones
 * after it. Frames are compared with the scenes kept so far by PDQ hash and by a 16 x 16 colour thumbnail (PDQ alone
 * calls flat frames of any colour alike); a frame like none of them is a new scene. More scenes than
 * {@link #MAX_SCENES}, or more frames than {@link #MAX_FRAMES}, and the animation goes to a person instead.
 */
public final class AnimationScenes {

    /** Engine calls one animation may cost; beyond, a person looks (slideshows and cuts stay within it). */
    public static final int MAX_SCENES = 16;
    public static final int MAX_FRAMES = 3000;
    /** The long side scenes are judged at: an engine sees more gets no better, and inline images stay small. */
    private static final int SCENE_LONG_SIDE = 1024;
    /** Within this many of PDQ's 256 bits, and this close in colour, two frames show the same scene. */
    private static final int SAME_SCENE_BITS = 48;
    private static final double SAME_SCENE_COLOUR = 12.0;

    /** One scene: the frame it was first seen in, as the JPEG an engine is given. */
    public record Scene(int frame, byte[] jpeg) {
        ImageInput input() {
            return new ImageInput(jpeg, ImageFormat.JPEG, Optional.empty());
        }
    }

    /**
     * @param frames frames in the image (1 for a still image, -1 beyond {@link #MAX_FRAMES})
     * @param scenes the distinct scenes, in order, when it is animated and within the caps
     */
    public record Scenes(int frames, List<Scene> scenes) {
        public boolean animated() {
            return frames != 1;
        }

        public boolean overCap() {
            return frames < 0 || scenes.size() > MAX_SCENES;
        }

        /** Engine calls the scan makes for it: one a scene, one for a still image, none when a person looks. */
        public int engineCalls() {
            return overCap() ? 0 : animated() ? scenes.size() : 1;
        }

        /** The statement of which frames were judged, for the verdict's reasons. */
        String judged() {
            return "An animation of " + frames + " frames; each of its " + scenes.size() + " distinct scenes was "
                    + "judged (frames " + scenes.stream().map(s -> Integer.toString(s.frame()))
                    .collect(Collectors.joining(", ")) + "), and the strongest label of any scene counts.";
        }

        String overCapReason() {
            return frames < 0 ? "The animation has more than " + MAX_FRAMES + " frames; a person must look."
                    : "The animation has more than " + MAX_SCENES + " distinct scenes; each is not judged "
                    + "automatically, so a person must look.";
        }
    }

    private AnimationScenes() {
    }

    /** The scenes of a GIF, WebP or PNG that animates; any other image is one still frame. */
    public static Scenes of(ImageDecoder decoder, byte[] bytes, ImageFormat format) {
        if (format != ImageFormat.GIF && format != ImageFormat.WEBP && format != ImageFormat.PNG) {
            return new Scenes(1, List.of());
        }
        PdqHasher hasher = new PdqHasher();
        List<Scene> scenes = new ArrayList<>();
        List<PdqHash> hashes = new ArrayList<>();
        List<double[]> colours = new ArrayList<>();
        int frames = decoder.frames(bytes, SCENE_LONG_SIDE, MAX_FRAMES, (index, frame) -> {
            PdqHash hash = hasher.hash(frame);
            double[] colour = thumbnail(frame);
            for (int i = 0; i < scenes.size(); i++) {
                if (hash.distance(hashes.get(i)) <= SAME_SCENE_BITS
                        && meanDifference(colour, colours.get(i)) <= SAME_SCENE_COLOUR) {
                    return true;
                }
            }
            scenes.add(new Scene(index, JpegCopies.encode(frame, 0.9f)));
            hashes.add(hash);
            colours.add(colour);
            return scenes.size() <= MAX_SCENES;
        });
        return new Scenes(frames, frames == 1 ? List.of() : List.copyOf(scenes));
    }

    /** What the engine saw in all scenes: each label at its strongest in any of them. */
    static ModerationResult strongest(List<ModerationResult> results) {
        Map<String, ModerationLabel> labels = new LinkedHashMap<>();
        for (ModerationResult result : results) {
            for (ModerationLabel label : result.labels()) {
                labels.merge(label.parentName() + "/" + label.name(), label,
                        (a, b) -> a.confidence() >= b.confidence() ? a : b);
            }
        }
        return new ModerationResult(results.get(0).engine(), results.get(0).modelVersion(),
                List.copyOf(labels.values()));
    }

    private static double[] thumbnail(BufferedImage frame) {
        BufferedImage small = JpegCopies.scaleOntoWhite(frame, 16, 16);
        double[] rgb = new double[16 * 16 * 3];
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                int p = small.getRGB(x, y);
                int at = (y * 16 + x) * 3;
                rgb[at] = p >> 16 & 0xFF;
                rgb[at + 1] = p >> 8 & 0xFF;
                rgb[at + 2] = p & 0xFF;
            }
        }
        return rgb;
    }

    private static double meanDifference(double[] a, double[] b) {
        double total = 0;
        for (int i = 0; i < a.length; i++) {
            total += Math.abs(a[i] - b[i]);
        }
        return total / a.length;
    }
}
