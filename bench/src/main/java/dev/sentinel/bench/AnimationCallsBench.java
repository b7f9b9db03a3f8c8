package dev.sentinel.bench;

import dev.sentinel.image.ImageDecoder;
import dev.sentinel.image.ImageFormat;
import dev.sentinel.image.JpegCopies;
import dev.sentinel.scan.AnimationScenes;
import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * What judging every scene of an animation costs: engine calls (each one a Rekognition charge, or an embedded
 * forward pass) and the time to find the scenes, for animations of the kinds people post, made from the sample
 * photos. Written to bench/results/animations.md.
 *
 * <p>Run: {@code mvn -q -DskipTests -pl bench -am package exec:java -Dexec.args="animations"}
 */
final class AnimationCallsBench {

    private static final int SIDE = 320;

    private AnimationCallsBench() {
    }

    static void run(Path repo) throws IOException {
        List<BufferedImage> photos = new ArrayList<>();
        for (String name : List.of("bridge-512.jpg", "street-q0003.jpg", "street-q0291.jpg", "street-q2821.jpg",
                "wee.jpg")) {
            photos.add(JpegCopies.scaleOntoWhite(ImageIO.read(repo.resolve("local/samples").resolve(name).toFile()),
                    SIDE, SIDE));
        }
        Map<String, byte[]> animations = new LinkedHashMap<>();
        animations.put("still (1 frame)", gif(List.of(photos.get(0))));
        animations.put("blink: 2 photos alternating, 40 frames", gif(repeat(List.of(photos.get(0), photos.get(1)), 20)));
        animations.put("slideshow: 5 photos, 20 frames each", gif(hold(photos, 20)));
        animations.put("pan across a photo, 2 px a frame, 60 frames", gif(pan(photos.get(1), 60)));
        animations.put("crossfade between 2 photos, 30 frames", gif(fade(photos.get(2), photos.get(3), 30)));
        List<BufferedImage> ten = new ArrayList<>(photos);
        for (BufferedImage photo : photos) {
            ten.add(flipped(photo));
        }
        animations.put("slideshow: 10 photos, 5 frames each", gif(hold(ten, 5)));
        List<BufferedImage> twenty = new ArrayList<>(ten);
        for (BufferedImage photo : ten) {
            twenty.add(inverted(photo));
        }
        animations.put("slideshow: 20 photos, 5 frames each (the cap is " + AnimationScenes.MAX_SCENES + ")",
                gif(hold(twenty, 5)));

        ImageDecoder decoder = new ImageDecoder();
        StringBuilder md = new StringBuilder("# Engine calls per animated image\n\nWritten by `bench` "
                + "(`animations`); see docs/benchmarks.md. Each distinct scene is one engine call; over the cap the "
                + "animation goes to a person and no engine is called.\n\n"
                + "| animation | frames | scenes | engine calls | held | ms to find the scenes |\n"
                + "|---|---:|---:|---:|---|---:|\n");
        for (Map.Entry<String, byte[]> animation : animations.entrySet()) {
            AnimationScenes.of(decoder, animation.getValue(), ImageFormat.GIF);
            long started = System.nanoTime();
            AnimationScenes.Scenes scenes = AnimationScenes.of(decoder, animation.getValue(), ImageFormat.GIF);
            double ms = (System.nanoTime() - started) / 1e6;
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %.0f |%n", animation.getKey(),
                    scenes.frames(), scenes.scenes().size(), scenes.engineCalls(), scenes.overCap() ? "yes" : "no",
                    ms));
        }
        Path out = repo.resolve("bench/results/animations.md");
        Files.writeString(out, md);
        System.out.print(md);
    }

    private static List<BufferedImage> repeat(List<BufferedImage> frames, int times) {
        List<BufferedImage> all = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            all.addAll(frames);
        }
        return all;
    }

    private static List<BufferedImage> hold(List<BufferedImage> photos, int frames) {
        List<BufferedImage> all = new ArrayList<>();
        for (BufferedImage photo : photos) {
            for (int i = 0; i < frames; i++) {
                all.add(photo);
            }
        }
        return all;
    }

    private static List<BufferedImage> pan(BufferedImage photo, int frames) {
        BufferedImage wide = JpegCopies.scaleOntoWhite(photo, SIDE * 2, SIDE);
        List<BufferedImage> all = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            all.add(wide.getSubimage(2 * i, 0, SIDE, SIDE));
        }
        return all;
    }

    private static List<BufferedImage> fade(BufferedImage from, BufferedImage to, int frames) {
        List<BufferedImage> all = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            BufferedImage frame = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = frame.createGraphics();
            g.drawImage(from, 0, 0, null);
            g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, i / (float) (frames - 1)));
            g.drawImage(to, 0, 0, null);
            g.dispose();
            all.add(frame);
        }
        return all;
    }

    private static BufferedImage flipped(BufferedImage photo) {
        BufferedImage flipped = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = flipped.createGraphics();
        g.drawImage(photo, SIDE, 0, -SIDE, SIDE, null);
        g.dispose();
        return flipped;
    }

    private static BufferedImage inverted(BufferedImage photo) {
        BufferedImage negative = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                negative.setRGB(x, y, ~photo.getRGB(x, y) & 0xFFFFFF);
            }
        }
        return negative;
    }

    private static byte[] gif(List<BufferedImage> frames) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.prepareWriteSequence(null);
            for (BufferedImage frame : frames) {
                writer.writeToSequence(new IIOImage(frame, null, null), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
