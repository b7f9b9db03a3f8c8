package dev.sentinel.engine;

/** One detected face's estimated age range (years), as Rekognition DetectFaces reports it. An estimate, not a fact. */
public record FaceAge(int low, int high, double confidence) { }
