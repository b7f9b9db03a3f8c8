package dev.sentinel.likeness;

/** Where a face is in an image, as ratios of the image's width and height (Rekognition's BoundingBox). */
public record FaceBox(double left, double top, double width, double height) { }
