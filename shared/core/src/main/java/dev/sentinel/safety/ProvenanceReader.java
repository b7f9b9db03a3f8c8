package dev.sentinel.safety;

import com.adobe.internal.xmp.XMPException;
import com.adobe.internal.xmp.XMPMeta;
import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.ImageProcessingException;
import com.drew.metadata.Directory;
import com.drew.metadata.Metadata;
import com.drew.metadata.Tag;
import com.drew.metadata.xmp.XmpDirectory;
import dev.sentinel.verdict.Provenance;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads what an image's metadata says about its making: the IPTC DigitalSourceType in XMP, generator names in EXIF
 * Software, XMP CreatorTool and PNG text chunks (metadata-extractor), and the presence of an embedded C2PA
 * manifest store (a JUMBF box labelled {@code c2pa}, in JPEG APP11 or a PNG {@code caBX} chunk) with the action
 * names it carries. Metadata is easy to strip, so its absence proves nothing; its presence is a signal.
 */
public final class ProvenanceReader {

    private static final String IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/";
    private static final String XMP_BASIC = "http://ns.adobe.com/xap/1.0/";
    /** Lower-case fragments that name image generators in the fields they write. */
    private static final List<String> GENERATORS = List.of("stable diffusion", "midjourney", "dall-e", "dall·e",
            "firefly", "imagen", "comfyui", "novelai", "flux", "grok", "aurora", "gpt-image", "leonardo.ai");
    private static final List<String> C2PA_ACTIONS = List.of("c2pa.created", "c2pa.edited", "c2pa.opened",
            "c2pa.placed", "c2pa.converted", "c2pa.published");

    public Provenance read(byte[] bytes) {
        String digitalSourceType = null;
        List<String> generators = new ArrayList<>();
        try {
            Metadata metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(bytes), bytes.length);
            for (XmpDirectory xmp : metadata.getDirectoriesOfType(XmpDirectory.class)) {
                XMPMeta meta = xmp.getXMPMeta();
                String source = property(meta, IPTC_EXT, "DigitalSourceType");
                if (source != null) {
                    digitalSourceType = source.substring(source.lastIndexOf('/') + 1);
                }
                addGenerator(property(meta, XMP_BASIC, "CreatorTool"), generators);
            }
            for (Directory directory : metadata.getDirectories()) {
                for (Tag tag : directory.getTags()) {
                    String name = tag.getTagName().toLowerCase(Locale.ROOT);
                    if (name.contains("software") || name.contains("textual data") || name.contains("parameters")
                            || name.contains("comment")) {
                        addGenerator(tag.getDescription(), generators);
                    }
                }
            }
        } catch (ImageProcessingException | IOException | RuntimeException e) {
            // Unreadable metadata is no provenance; the image itself was judged separately.
        }
        boolean c2pa = containsJumbfC2pa(bytes);
        List<String> actions = new ArrayList<>();
        if (c2pa) {
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            C2PA_ACTIONS.stream().filter(text::contains).forEach(actions::add);
            if (digitalSourceType == null) {
                for (String term : List.of("compositeWithTrainedAlgorithmicMedia", "trainedAlgorithmicMedia")) {
                    if (text.contains("digitalsourcetype/" + term)) {
                        digitalSourceType = term;
                        break;
                    }
                }
            }
        }
        return new Provenance(c2pa, actions, digitalSourceType, generators);
    }

    private static String property(XMPMeta meta, String namespace, String name) {
        try {
            return meta.getPropertyString(namespace, name);
        } catch (XMPException e) {
            return null;
        }
    }

    private static void addGenerator(String value, List<String> found) {
        if (value == null) {
            return;
        }
        String lower = value.toLowerCase(Locale.ROOT);
        for (String generator : GENERATORS) {
            if (lower.contains(generator) && !found.contains(generator)) {
                found.add(generator);
            }
        }
        // Automatic1111-style "parameters" text: prompt, then "Steps: N, Sampler: ...".
        if (lower.contains("steps:") && lower.contains("sampler:") && !found.contains("stable diffusion")) {
            found.add("stable diffusion");
        }
    }

    /** A JUMBF superbox ({@code jumb}) whose description box ({@code jumd}) is labelled {@code c2pa}. */
    static boolean containsJumbfC2pa(byte[] bytes) {
        for (int i = 0; i + 4 <= bytes.length; i++) {
            if (bytes[i] == 'j' && bytes[i + 1] == 'u' && bytes[i + 2] == 'm' && bytes[i + 3] == 'd') {
                int end = Math.min(bytes.length, i + 64);
                String description = new String(bytes, i, end - i, StandardCharsets.ISO_8859_1);
                if (description.contains("c2pa")) {
                    return true;
                }
            }
        }
        return false;
    }
}
