package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.local.aws.SampleEvents;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's likeness demo runs offline and tells the lifecycle as it happens. */
class LikenessDemoTest {

    @Test
    void theDemoQuarantinesTheRegisteredFaceThenPublishesItAfterWithdrawal() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = LikenessDemo.run(SampleEvents.directory().getParent(), new PrintStream(bytes, true,
                StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(out);

        assertEquals(0, code, out);
        assertTrue(out.contains("users/bob/beach.jpg -> QUARANTINE (QUARANTINED)"), out);
        assertTrue(out.contains("LIKENESS_MATCH"), out);
        assertTrue(out.contains("alert to registration lk-"), out);
        assertTrue(out.contains("WITHDRAWN, faces left in the collection: 0"), out);
        assertTrue(out.contains("users/bob/beach-2.jpg -> ALLOW (PUBLISHED)"), out);
    }
}
