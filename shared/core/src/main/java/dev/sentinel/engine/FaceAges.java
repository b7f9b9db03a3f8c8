package dev.sentinel.engine;

import java.util.List;

/** Estimates the ages of the faces in an image. */
public interface FaceAges {

    /**
     * @throws dev.sentinel.engine.EngineException IMAGE_REJECTED when the image cannot be checked, UNAVAILABLE when
     *     the service cannot answer now
     */
    List<FaceAge> detect(ImageInput image);
}
