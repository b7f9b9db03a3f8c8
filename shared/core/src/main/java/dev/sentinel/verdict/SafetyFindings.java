package dev.sentinel.verdict;

import dev.sentinel.engine.FaceAge;
import java.util.List;

/**
 * The extra signals gathered for an image with sexual or nudity labels: face age estimates (only then, to save
 * cost) and provenance metadata. Recorded on the verdict.
 *
 * @param facesChecked whether DetectFaces was called and answered
 */
public record SafetyFindings(boolean facesChecked, List<FaceAge> faces, Provenance provenance) {

    public SafetyFindings {
        faces = faces == null ? List.of() : List.copyOf(faces);
        provenance = provenance == null ? Provenance.NONE : provenance;
    }
}
