package dev.sentinel.api;

import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * Pages read from DynamoDB at a caller's cursor. Apart from {@link Inputs}, because it names a DynamoDB type: a
 * function whose jar has no DynamoDB client (operations) must be able to load the input checks.
 */
final class CursorPages {

    private CursorPages() {
    }

    /**
     * Reads a page from where a caller's cursor points: a cursor this API did not issue is a 400, and so is a
     * well-formed one that DynamoDB refuses as a position in another listing.
     */
    static <T> T atCursor(Supplier<T> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("cursor is not one this API issued");
        } catch (DynamoDbException e) {
            if (e.statusCode() == 400) {
                throw ApiProblem.badRequest("cursor does not belong to this listing");
            }
            throw e;
        }
    }
}
