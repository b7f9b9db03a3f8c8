package dev.sentinel.functions.likeness;

import dev.sentinel.image.JpegCopies;
import dev.sentinel.local.aws.MarkedFaces;
import dev.sentinel.testing.TestAws;
import dev.sentinel.testing.TestImages;
import java.awt.image.BufferedImage;

/**
 * Real JPEGs with faces the Rekognition stand-in recognises ({@link MarkedFaces}): a face is a framed pattern that
 * only its identity decides, drawn onto real photos, so the same identity is the same person in any image.
 */
final class LikenessImages {

    static final long ALICE = 0xA11CEL;
    static final long STRANGER = 0x5712A96E2L;

    private LikenessImages() {
    }

    /** A reference photo: one clear face, large, on a street photo. */
    static byte[] portrait(long identity, int faceSize) {
        BufferedImage canvas = background("reg-test-input_labelme-subset_q0003.jpg", 480, 480);
        return JpegCopies.encode(MarkedFaces.draw(canvas, 120, 100, faceSize, identity), 0.92f);
    }

    /** A photo with no face at all. */
    static byte[] noFace() {
        return JpegCopies.encode(background("reg-test-input_labelme-subset_q0003.jpg", 480, 480), 0.92f);
    }

    /** A photo of two people. */
    static byte[] twoFaces(long first, long second) {
        BufferedImage canvas = background("reg-test-input_labelme-subset_q0003.jpg", 640, 480);
        MarkedFaces.draw(canvas, 40, 100, 200, first);
        MarkedFaces.draw(canvas, 360, 120, 180, second);
        return JpegCopies.encode(canvas, 0.92f);
    }

    /** A face too washed out to recognise (the quality filter's LOW_SHARPNESS). */
    static byte[] blurredFace(long identity) {
        BufferedImage canvas = background("reg-test-input_labelme-subset_q0003.jpg", 480, 480);
        return JpegCopies.encode(MarkedFaces.draw(canvas, 120, 100, 220, identity, 0.02), 0.92f);
    }

    /**
     * An upload showing {@code identity} at ({@code x}, {@code y}) on another photo; {@code x} and {@code y} also make
     * each upload's bytes its own.
     */
    static byte[] scene(long identity, int x, int y) {
        BufferedImage canvas = background("reg-test-input_labelme-subset_q2821.jpg", 800, 600);
        return JpegCopies.encode(MarkedFaces.draw(canvas, x, y, 150, identity), 0.9f);
    }

    /** A scene with several people. */
    static byte[] crowd(long... identities) {
        BufferedImage canvas = background("reg-test-input_labelme-subset_q2821.jpg", 1200, 600);
        for (int i = 0; i < identities.length; i++) {
            MarkedFaces.draw(canvas, 20 + (i % 6) * 195, 40 + (i / 6) * 280, 150, identities[i]);
        }
        return JpegCopies.encode(canvas, 0.9f);
    }

    private static BufferedImage background(String photo, int width, int height) {
        return JpegCopies.scaleOntoWhite(TestImages.decode(TestAws.photo(photo)), width, height);
    }
}
