package dev.sentinel.verdict;

import java.util.List;

/**
 * What an image's metadata says about how it was made.
 *
 * @param c2paManifest      a C2PA manifest store (JUMBF) is embedded; its signature is not verified here
 * @param c2paActions       C2PA action names found in the manifest, e.g. {@code c2pa.created}
 * @param digitalSourceType the IPTC/XMP DigitalSourceType term, e.g. {@code trainedAlgorithmicMedia}; null if none
 * @param generatorMarkers  names of generators found in EXIF Software, XMP CreatorTool or PNG text chunks
 */
public record Provenance(boolean c2paManifest, List<String> c2paActions, String digitalSourceType,
                         List<String> generatorMarkers) {

    public static final Provenance NONE = new Provenance(false, List.of(), null, List.of());

    public Provenance {
        c2paActions = List.copyOf(c2paActions);
        generatorMarkers = List.copyOf(generatorMarkers);
    }

    /** The metadata declares the image generated, or composited with generated content, by AI. */
    public boolean synthetic() {
        return "trainedAlgorithmicMedia".equals(digitalSourceType)
                || "compositeWithTrainedAlgorithmicMedia".equals(digitalSourceType)
                || "compositeSynthetic".equals(digitalSourceType)
                || !generatorMarkers.isEmpty();
    }
}
