package dev.sentinel.api;

import dev.sentinel.verdict.StatementOfReasons;
import dev.sentinel.verdict.Verdict;
import java.time.Period;

/** A verdict as the API returns it: the stored verdict and the statement of reasons owed for it. */
public record VerdictView(Verdict verdict, StatementOfReasons statementOfReasons) {

    public static VerdictView of(Verdict verdict, Period appealWindow) {
        return new VerdictView(verdict, StatementOfReasons.of(verdict, appealWindow));
    }
}
