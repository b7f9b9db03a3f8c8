package dev.sentinel.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** PDQ against the reference vectors of Meta's implementations (see resources/pdq/README.md). */
class PdqHasherTest {

    private record Row(String image, String hex, String implementation) { }

    private static final List<Row> ROWS = rows();
    private final PdqHasher hasher = new PdqHasher();

    @Test
    void reproducesMetasJavaImplementationExactly() {
        List<Row> java = ROWS.stream().filter(r -> r.implementation().equals("java-imageio")).toList();
        assertTrue(java.size() >= 2);
        for (Row row : java) {
            assertEquals(row.hex(), hasher.hash(image(row.image())).hex(), row.image());
        }
    }

    @Test
    void staysWithinSixteenBitsOfTheOtherImplementations() {
        for (Row row : ROWS.stream().filter(r -> !r.implementation().equals("java-imageio")
                && !r.image().startsWith("bridge-mods")).toList()) {
            int distance = hasher.hash(image(row.image())).distance(PdqHash.fromHex(row.hex()));
            assertTrue(distance <= 16, row.image() + " vs " + row.implementation() + ": " + distance + " bits");
        }
    }

    @Test
    void everyEditOfTheBridgeStaysWithinTheMatchThreshold() {
        PdqHash original = hasher.hash(image("bridge-mods_aaa-orig.jpg"));
        List<Row> edits = ROWS.stream().filter(r -> r.image().startsWith("bridge-mods_")).toList();
        assertTrue(edits.size() >= 11);
        for (Row edit : edits) {
            int distance = original.distance(hasher.hash(image(edit.image())));
            assertTrue(distance <= PdqHasher.MATCH_DISTANCE, edit.image() + ": " + distance);
        }
    }

    @Test
    void referenceDistancesBetweenDifferentImages() {
        PdqHash bridge = hasher.hash(image("reg-test-input_dih_bridge-1-original.jpg"));
        assertEquals(120, bridge.distance(hasher.hash(image("reg-test-input_dih_bridge-2-rotate-90.jpg"))));
        assertEquals(138, bridge.distance(hasher.hash(image("reg-test-input_pen-and-coaster.png"))));
    }

    @Test
    void dihedralHashesOfTheOriginalMatchTheRotatedAndFlippedFiles() {
        PdqHasher.Dihedral dihedral = hasher.dihedral(image("reg-test-input_dih_bridge-1-original.jpg"));
        String[] files = {"1-original", "2-rotate-90", "3-rotate-180", "4-rotate-270", "5-flipx", "6-flipy",
            "7-flip-plus-1", "8-flip-minus-1"};
        List<PdqHash> variants = dihedral.all();
        for (int i = 0; i < files.length; i++) {
            PdqHash ofFile = hasher.hash(image("reg-test-input_dih_bridge-" + files[i] + ".jpg"));
            int distance = variants.get(i).distance(ofFile);
            assertTrue(distance <= 16, files[i] + ": " + distance + " bits from its dihedral hash");
        }
        assertEquals(hasher.hash(image("reg-test-input_dih_bridge-1-original.jpg")), dihedral.original());
    }

    @Test
    void reencodedResizedAndCroppedCopiesMatchUnrelatedPhotosDoNot() throws IOException {
        BufferedImage photo = image("reg-test-input_labelme-subset_q2821.jpg");
        PdqHash original = hasher.hash(photo);

        BufferedImage reencoded = ImageIO.read(new ByteArrayInputStream(jpeg(photo)));
        BufferedImage resized = scale(photo, photo.getWidth() / 2, photo.getHeight() / 2);
        // PDQ tolerates only slight crops: 1% off each side here costs about 26 bits.
        int dx = photo.getWidth() / 100;
        int dy = photo.getHeight() / 100;
        BufferedImage cropped = photo.getSubimage(dx, dy, photo.getWidth() - 2 * dx, photo.getHeight() - 2 * dy);

        for (BufferedImage copy : List.of(reencoded, resized, cropped)) {
            assertTrue(original.distance(hasher.hash(copy)) <= PdqHasher.MATCH_DISTANCE,
                    "copy at " + original.distance(hasher.hash(copy)));
        }
        for (String other : List.of("reg-test-input_labelme-subset_q0003.jpg", "reg-test-input_labelme-subset_q1050.jpg",
                "reg-test-input_pen-and-coaster.png", "misc-images_c.png")) {
            int distance = original.distance(hasher.hash(image(other)));
            assertTrue(distance > 70, other + " is only " + distance + " bits away");
        }
    }

    @Test
    void flatImagesHaveLowQuality() {
        BufferedImage grey = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grey.createGraphics();
        g.setColor(java.awt.Color.GRAY);
        g.fillRect(0, 0, 300, 200);
        g.dispose();

        assertTrue(hasher.hash(grey).quality() < PdqHasher.MIN_MATCH_QUALITY);
        assertTrue(hasher.hash(image("reg-test-input_labelme-subset_q2821.jpg")).quality()
                >= PdqHasher.MIN_MATCH_QUALITY);
    }

    @Test
    void hexRoundTripsAndBadHexIsRefused() {
        String hex = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
        assertEquals(hex, PdqHash.fromHex(hex).hex());
        assertEquals(0x9b22, PdqHash.fromHex(hex).band(0));
        assertEquals(0xf8f8, PdqHash.fromHex(hex).band(15));
        for (String bad : List.of("", "f8f8", hex + "0", hex.replace('f', 'g'))) {
            assertThrows(IllegalArgumentException.class, () -> PdqHash.fromHex(bad), bad);
        }
    }

    private static BufferedImage image(String name) {
        try (InputStream in = PdqHasherTest.class.getResourceAsStream("/pdq/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test image " + name);
            }
            return ImageIO.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] jpeg(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpeg", out);
        return out.toByteArray();
    }

    private static BufferedImage scale(BufferedImage image, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, width, height, null);
        g.dispose();
        return out;
    }

    private static List<Row> rows() {
        try (InputStream in = PdqHasherTest.class.getResourceAsStream("/pdq/expected-hashes.csv")) {
            List<Row> rows = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().skip(1).toList()) {
                String[] cells = line.split(",");
                rows.add(new Row(cells[0], cells[1], cells[2]));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
