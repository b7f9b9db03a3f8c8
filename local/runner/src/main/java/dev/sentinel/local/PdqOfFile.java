package dev.sentinel.local;

import dev.sentinel.hash.PdqHash;
import dev.sentinel.hash.PdqHasher;
import dev.sentinel.image.ImageDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prints the PDQ hash (and its quality) of each image file named: what a protected person submits instead of their
 * intimate images, computed on their own device. Reads the files and prints; sends nothing anywhere.
 */
public final class PdqOfFile {

    private PdqOfFile() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("Usage: PdqOfFile IMAGE...");
            System.exit(64);
        }
        ImageDecoder decoder = new ImageDecoder();
        for (String name : args) {
            PdqHash hash = new PdqHasher().hash(decoder.decode(Files.readAllBytes(Path.of(name)), 2048));
            System.out.println(hash.hex() + "  quality " + hash.quality() + "  " + name);
        }
    }
}
