package dev.sentinel.safety;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.testing.TestAws;
import dev.sentinel.testing.TestImages;
import dev.sentinel.verdict.Provenance;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProvenanceReaderTest {

    private static final byte[] PHOTO = TestAws.photo("reg-test-input_labelme-subset_q0291.jpg");
    private final ProvenanceReader reader = new ProvenanceReader();

    @Test
    void iptcDigitalSourceTypeInXmpIsRead() {
        Provenance generated = reader.read(TestImages.jpegWithDigitalSourceType(PHOTO, "trainedAlgorithmicMedia"));
        Provenance composite = reader.read(TestImages.jpegWithDigitalSourceType(PHOTO,
                "compositeWithTrainedAlgorithmicMedia"));
        Provenance camera = reader.read(TestImages.jpegWithDigitalSourceType(PHOTO, "digitalCapture"));

        assertEquals("trainedAlgorithmicMedia", generated.digitalSourceType());
        assertTrue(generated.synthetic());
        assertTrue(composite.synthetic());
        assertEquals("digitalCapture", camera.digitalSourceType());
        assertFalse(camera.synthetic());
    }

    @Test
    void c2paManifestAndItsActionsAreFound() {
        Provenance provenance = reader.read(TestImages.jpegWithC2paManifest(PHOTO));

        assertTrue(provenance.c2paManifest());
        assertEquals(List.of("c2pa.created"), provenance.c2paActions());
        assertEquals("trainedAlgorithmicMedia", provenance.digitalSourceType());
        assertTrue(provenance.synthetic());
    }

    @Test
    void generatorTextInPngChunksIsFound() {
        byte[] png = TestImages.reencode(PHOTO, "png");
        Provenance provenance = reader.read(TestImages.pngWithText(png, "parameters",
                "portrait photo of a woman\nSteps: 30, Sampler: Euler a, CFG scale: 7, Seed: 1234"));

        assertEquals(List.of("stable diffusion"), provenance.generatorMarkers());
        assertTrue(provenance.synthetic());
        assertEquals(List.of("midjourney"), reader.read(TestImages.pngWithText(png, "Software", "Midjourney v7"))
                .generatorMarkers());
    }

    @Test
    void unmarkedPhotosAndNonImagesCarryNoSignal() {
        for (byte[] bytes : List.of(PHOTO, TestImages.reencode(PHOTO, "png"), "not an image".getBytes())) {
            Provenance provenance = reader.read(bytes);
            assertFalse(provenance.synthetic());
            assertFalse(provenance.c2paManifest());
            assertNull(provenance.digitalSourceType());
        }
    }
}
