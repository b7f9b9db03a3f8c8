package dev.sentinel.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class S3NotificationsTest {

    @Test
    void keysAreDecodedTheWayS3EncodesThem() {
        assertEquals("holiday photos/beach day.jpg", S3Notifications.decodeKey("holiday+photos/beach+day.jpg"));
        assertEquals("a+b=c.jpg", S3Notifications.decodeKey("a%2Bb%3Dc.jpg"));
        assertEquals("crème brûlée/猫.png", S3Notifications.decodeKey("cr%C3%A8me+br%C3%BBl%C3%A9e/%E7%8C%AB.png"));
        assertEquals("100%.jpg", S3Notifications.decodeKey("100%25.jpg"));
        assertEquals("emoji-😀.jpg", S3Notifications.decodeKey("emoji-😀.jpg"), "an already-decoded key is kept");
    }

    @Test
    void badEncodingIsRefusedRatherThanGuessed() {
        for (String raw : List.of("trailing%", "short%4", "not-hex%zz.jpg", "latin1-%E9t%E9.jpg", "%C3%28.jpg")) {
            assertThrows(IllegalArgumentException.class, () -> S3Notifications.decodeKey(raw), raw);
        }
    }

    @Test
    void directS3EventGivesOneDeliveryPerRecordWithAllFacts() {
        List<Delivery> deliveries = parse("""
                {"Records": [
                  {"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "eventTime": "2026-11-24T10:00:00.000Z",
                   "s3": {"bucket": {"name": "up"}, "object": {"key": "a+b.jpg", "size": 12, "eTag": "\\"abc\\"",
                   "versionId": "v1"}}},
                  {"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                   "s3": {"bucket": {"name": "up"}, "object": {"key": "bad%zz"}}}]}
                """);

        assertEquals(2, deliveries.size());
        ObjectEvent first = deliveries.get(0).events().get(0);
        assertEquals("a b.jpg", first.object().key());
        assertEquals("v1", first.object().versionId());
        assertEquals("abc", first.eTag());
        assertEquals(12L, first.size());
        assertEquals(Instant.parse("2026-11-24T10:00:00Z"), first.eventTime());
        assertTrue(first.isUpload());
        assertTrue(deliveries.get(0).problems().isEmpty());
        assertTrue(deliveries.get(1).events().isEmpty());
        assertTrue(deliveries.get(1).problems().get(0).contains("Records[1]"), deliveries.get(1).problems().toString());
    }

    @Test
    void sqsMessagesAreDeliveriesByMessageIdAndBadBodiesStayAlone() {
        String notification = "{\\\"Records\\\": [{\\\"eventSource\\\": \\\"aws:s3\\\", \\\"eventName\\\": "
                + "\\\"ObjectCreated:Put\\\", \\\"s3\\\": {\\\"bucket\\\": {\\\"name\\\": \\\"up\\\"}, "
                + "\\\"object\\\": {\\\"key\\\": \\\"x.png\\\"}}}]}";
        List<Delivery> deliveries = parse("""
                {"Records": [
                  {"eventSource": "aws:sqs", "messageId": "m-1", "body": "%s"},
                  {"eventSource": "aws:sqs", "messageId": "m-2", "body": "not json"},
                  {"eventSource": "aws:sqs", "messageId": "m-3", "body": "{\\"Event\\": \\"s3:TestEvent\\"}"}]}
                """.formatted(notification));

        assertEquals(List.of("m-1", "m-2", "m-3"), deliveries.stream().map(Delivery::id).toList());
        assertEquals("x.png", deliveries.get(0).events().get(0).object().key());
        assertNull(deliveries.get(0).events().get(0).object().versionId());
        assertEquals(List.of("message m-2 body is not JSON"), deliveries.get(1).problems());
        assertTrue(deliveries.get(2).events().isEmpty() && deliveries.get(2).problems().isEmpty(),
                "S3's test event is acknowledged, not retried");
    }

    @Test
    void recordsMissingFieldsAreProblemsNotCrashes() {
        List<Delivery> deliveries = parse("""
                {"Records": [
                  {"eventSource": "aws:s3", "s3": {"object": {"key": "k"}}},
                  {"eventSource": "aws:kinesis"}]}
                """);

        assertTrue(deliveries.get(0).problems().get(0).contains("lacks s3.bucket.name"));
        assertTrue(deliveries.get(1).problems().get(0).contains("aws:kinesis"));
    }

    @Test
    void aRecordWhoseTimeIsNotAnInstantIsStillScanned() {
        // moto 5.2.1 writes a local time with microseconds and no zone; the upload must not go unjudged for it.
        for (String time : List.of("2026-12-02T06:31:32.328101", "yesterday")) {
            List<Delivery> deliveries = parse("""
                    {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "eventTime": "%s",
                                  "s3": {"bucket": {"name": "b"}, "object": {"key": "k"}}}]}
                    """.formatted(time));

            assertEquals(List.of(), deliveries.get(0).problems(), time);
            assertEquals("k", deliveries.get(0).events().get(0).object().key());
            assertNull(deliveries.get(0).events().get(0).eventTime(), time);
        }
    }

    @Test
    void eventsThatAreNotNotificationsAreMalformed() {
        for (String json : List.of("[]", "{}", "{\"Records\": 3}", "{\"Records\": [", "null")) {
            MalformedEventException e = assertThrows(MalformedEventException.class, () -> parse(json), json);
            assertTrue(e.getMessage().startsWith("the event"), e.getMessage());
        }
    }

    private static List<Delivery> parse(String json) {
        return S3Notifications.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }
}
