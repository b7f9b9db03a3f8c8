package dev.sentinel.engine;

import dev.sentinel.image.ImageFormat;
import dev.sentinel.objects.ObjectRef;
import java.util.Objects;
import java.util.Optional;

/**
 * The image to check: its bytes (already read once to hash them), the format sniffed from those bytes, and,
 * when it came from S3, where it is stored so an engine that can read S3 itself need not upload the bytes.
 */
public record ImageInput(byte[] bytes, ImageFormat format, Optional<ObjectRef> storedAt) {

    public ImageInput {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(format, "format");
        storedAt = storedAt == null ? Optional.empty() : storedAt;
    }

    public static ImageInput of(byte[] bytes) {
        return new ImageInput(bytes, ImageFormat.sniff(bytes), Optional.empty());
    }
}
