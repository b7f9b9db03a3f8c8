package dev.sentinel.image;

/** Width and height in pixels, as an image's header declares them or as decoded. */
public record ImageSize(int width, int height) {

    public ImageSize {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image dimensions must be positive, were " + width + "x" + height);
        }
    }

    public long pixels() {
        return (long) width * height;
    }

    public int longSide() {
        return Math.max(width, height);
    }

    public int shortSide() {
        return Math.min(width, height);
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
