package dev.sentinel.api;

import dev.sentinel.report.TransparencyReport;
import dev.sentinel.report.TransparencyReportCsv;
import dev.sentinel.report.TransparencyReports;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** {@code GET /reports/transparency}: the DSA-shaped counts for a period, as JSON or CSV (admin). */
public final class ReportRoutes {

    private final TransparencyReports reports;
    private final Clock clock;

    public ReportRoutes(TransparencyReports reports, Clock clock) {
        this.reports = reports;
        this.clock = clock;
    }

    public Router register(Router router) {
        return router.add("GET /reports/transparency", List.of(Groups.ADMIN), this::transparency);
    }

    private ApiResponse transparency(ApiRequest request) {
        String format = request.query().getOrDefault("format", "json");
        if (!format.equals("json") && !format.equals("csv")) {
            throw ApiProblem.badRequest("format must be json or csv");
        }
        TransparencyReports.Period period;
        try {
            period = TransparencyReports.parse(request.query().get("from"), request.query().get("to"),
                    clock.instant());
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(e.getMessage());
        }
        TransparencyReport report = reports.build(period);
        if (format.equals("json")) {
            return ApiResponse.json(200, report);
        }
        return new ApiResponse(200, "text/csv; charset=utf-8", TransparencyReportCsv.toCsv(report),
                Map.of("content-disposition", "attachment; filename=\"transparency-" + period.from().toString()
                        .substring(0, 10) + "-" + period.to().toString().substring(0, 10) + ".csv\""));
    }
}
