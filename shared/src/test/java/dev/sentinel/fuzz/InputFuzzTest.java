package dev.sentinel.fuzz;

import dev.sentinel.image.ImageDecoder;
import dev.sentinel.image.ImageFormat;
import dev.sentinel.image.RekognitionImages;
import dev.sentinel.image.UnreadableImageException;
import dev.sentinel.scan.MalformedEventException;
import dev.sentinel.scan.S3Notifications;
import dev.sentinel.testing.TestAws;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Bounded fuzzing: whatever arrives as an event or as image bytes, the parsers answer with their own clear
 * exception or a result — never another exception, never a hang.
 */
class InputFuzzTest {

    private static final byte[] PHOTO = TestAws.photo("reg-test-input_labelme-subset_q0003.jpg");
    private final RekognitionImages images = new RekognitionImages(new ImageDecoder(20_000_000));

    @Property(tries = 300)
    void eventParsingNeverCrashes(@ForAll("events") String event) {
        try {
            S3Notifications.parse(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)));
        } catch (MalformedEventException expected) {
            // A clear refusal is a correct answer.
        }
    }

    @Property(tries = 150)
    void mutatedImagesDecodeOrAreRefusedClearly(@ForAll("mutatedImages") byte[] bytes) {
        try {
            images.inline(bytes, ImageFormat.sniff(bytes));
        } catch (UnreadableImageException expected) {
            // Held for review by the pipeline.
        }
    }

    @Provide
    Arbitrary<String> events() {
        Arbitrary<String> keys = Arbitraries.strings().withChars("abc%+/.-_é😀 ").ofMaxLength(40);
        Arbitrary<String> s3Records = Combinators.combine(keys, Arbitraries.strings().alpha().ofMaxLength(12),
                Arbitraries.integers().between(-5, 5_000_000)).as((key, bucket, size) ->
                "{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\""
                        + bucket + "\"},\"object\":{\"key\":\"" + key.replace("\"", "") + "\",\"size\":" + size + "}}}");
        Arbitrary<String> wrapped = s3Records.list().ofMaxSize(4).map(list -> "{\"Records\":[" + String.join(",", list)
                + "]}");
        Arbitrary<String> sqs = wrapped.map(body -> "{\"Records\":[{\"eventSource\":\"aws:sqs\",\"messageId\":\"m\","
                + "\"body\":" + quote(body) + "}]}");
        Arbitrary<String> garbage = Arbitraries.strings().ofMaxLength(200);
        Arbitrary<String> truncated = wrapped.flatMap(text -> Arbitraries.integers().between(0, text.length())
                .map(n -> text.substring(0, n)));
        return Arbitraries.oneOf(wrapped, sqs, garbage, truncated);
    }

    @Provide
    Arbitrary<byte[]> mutatedImages() {
        Arbitrary<byte[]> flipped = Arbitraries.integers().between(0, PHOTO.length - 1).list().ofMinSize(1)
                .ofMaxSize(30).map(positions -> {
                    byte[] copy = PHOTO.clone();
                    positions.forEach(p -> copy[p] ^= (byte) (31 * p + 7));
                    return copy;
                });
        Arbitrary<byte[]> cut = Arbitraries.integers().between(0, PHOTO.length).map(n -> Arrays.copyOf(PHOTO, n));
        Arbitrary<byte[]> headerKept = Arbitraries.bytes().array(byte[].class).ofMaxSize(2000)
                .map(tail -> concat(Arrays.copyOf(PHOTO, 600), tail));
        Arbitrary<byte[]> magic = Arbitraries.of(List.of(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10},
                "GIF89a".getBytes(StandardCharsets.US_ASCII), "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.US_ASCII),
                "BM".getBytes(StandardCharsets.US_ASCII), new byte[] {'I', 'I', 42, 0}))
                .flatMap(head -> Arbitraries.bytes().array(byte[].class).ofMaxSize(500)
                        .map(tail -> concat(head, tail)));
        return Arbitraries.oneOf(flipped, cut, headerKept, magic);
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
