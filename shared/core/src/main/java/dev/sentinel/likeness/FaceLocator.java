package dev.sentinel.likeness;

import dev.sentinel.engine.ImageInput;
import java.util.List;

/** Finds the faces in an image. */
public interface FaceLocator {

    /**
     * @throws dev.sentinel.engine.EngineException when the faces cannot be found now or in this image
     */
    List<FaceBox> locate(ImageInput image);
}
