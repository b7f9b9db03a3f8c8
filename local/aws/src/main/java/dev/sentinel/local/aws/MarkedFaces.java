package dev.sentinel.local.aws;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Deterministic faces for the Rekognition stand-in. A "face" is a square drawn with a thick, saturated green frame
 * ({@link #draw}); the stand-in finds faces by looking for such frames in the decoded pixels, so it sees them in any
 * image that carries them: a reference photo, an upload, or a crop of an upload, re-encoded or resized.
 *
 * <p>Who a face is: the frame's interior is reduced to a 16 x 16 grid of mean luminance, centred and scaled to unit
 * length: a 256-value signature. The same face drawn into another image (other background, other size, cut out and
 * JPEG-encoded again) keeps nearly the same grid; two different faces are uncorrelated. The stand-in reports
 * {@code similarity = 50 + 50 x correlation}, so the same face scores 99 and more and a stranger around 50, like the
 * real service's spread. Nothing here claims to recognise real people.
 *
 * <p>Quality, as IndexFaces's filter sees it: a face under {@value #SMALL_FACE_PIXELS} pixels a side is
 * SMALL_BOUNDING_BOX, an interior darker than {@value #DARK_MEAN} mean luminance is LOW_BRIGHTNESS, an interior with
 * a luminance spread under {@value #FLAT_SPREAD} (blurred flat) is LOW_SHARPNESS.
 */
public final class MarkedFaces {

    static final int SMALL_FACE_PIXELS = 40;
    static final double DARK_MEAN = 40;
    static final double FLAT_SPREAD = 8;
    private static final int GRID = 16;
    private static final int MARKER_RGB = 0x00E040;

    /**
     * One face found in an image, in pixels and as Rekognition's ratios of the image's size.
     *
     * @param signature the interior's 16 x 16 luminance grid, centred and of unit length
     * @param problems  quality problems as IndexFaces's UnindexedFaces reasons name them; empty for a good face
     */
    public record Face(int x, int y, int width, int height, int imageWidth, int imageHeight, double[] signature,
                       List<String> problems) {

        public double left() {
            return (double) x / imageWidth;
        }

        public double top() {
            return (double) y / imageHeight;
        }

        public double widthRatio() {
            return (double) width / imageWidth;
        }

        public double heightRatio() {
            return (double) height / imageHeight;
        }

        int area() {
            return width * height;
        }

        /** 100 for the same signature, about 50 for an unrelated one. */
        public double similarityTo(double[] other) {
            double correlation = 0;
            for (int i = 0; i < signature.length; i++) {
                correlation += signature[i] * other[i];
            }
            return Math.max(0, Math.min(100, 50 + 50 * correlation));
        }
    }

    private MarkedFaces() {
    }

    /** The faces in encoded image bytes, largest first; none when the bytes are not an image Java can read. */
    public static List<Face> find(byte[] encoded) {
        if (encoded == null) {
            return List.of();
        }
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(encoded));
            return image == null ? List.of() : find(image);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The faces in a decoded image, largest first. */
    public static List<Face> find(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        boolean[] marker = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                marker[y * w + x] = isMarker(image.getRGB(x, y));
            }
        }
        boolean[] seen = new boolean[w * h];
        List<Face> faces = new ArrayList<>();
        ArrayDeque<Integer> todo = new ArrayDeque<>();
        for (int start = 0; start < marker.length; start++) {
            if (!marker[start] || seen[start]) {
                continue;
            }
            int minX = w;
            int minY = h;
            int maxX = -1;
            int maxY = -1;
            int count = 0;
            todo.push(start);
            seen[start] = true;
            while (!todo.isEmpty()) {
                int p = todo.pop();
                int px = p % w;
                int py = p / w;
                count++;
                minX = Math.min(minX, px);
                maxX = Math.max(maxX, px);
                minY = Math.min(minY, py);
                maxY = Math.max(maxY, py);
                int[] next = {px > 0 ? p - 1 : -1, px < w - 1 ? p + 1 : -1, py > 0 ? p - w : -1, py < h - 1 ? p + w : -1};
                for (int n : next) {
                    if (n >= 0 && marker[n] && !seen[n]) {
                        seen[n] = true;
                        todo.push(n);
                    }
                }
            }
            int bw = maxX - minX + 1;
            int bh = maxY - minY + 1;
            // A frame is hollow and roughly square; specks and solid green areas are not faces.
            if (bw < 12 || bh < 12 || count > 0.7 * bw * bh || Math.abs(bw - bh) > 0.25 * Math.max(bw, bh)) {
                continue;
            }
            faces.add(describe(image, marker, minX, minY, bw, bh));
        }
        faces.sort(Comparator.comparingInt(Face::area).reversed());
        return List.copyOf(faces);
    }

    private static Face describe(BufferedImage image, boolean[] marker, int x, int y, int bw, int bh) {
        int w = image.getWidth();
        int thickness = 0;
        int row = y + bh / 2;
        while (thickness < bw / 2 && marker[row * w + x + thickness]) {
            thickness++;
        }
        // Inside the frame, clear of the colour fringe compression leaves along it.
        int inset = thickness + Math.max(2, bw / 10);
        int ix = x + inset;
        int iy = y + inset;
        int iw = bw - 2 * inset;
        int ih = bh - 2 * inset;
        double[] cells = new double[GRID * GRID];
        double sum = 0;
        double sumSquares = 0;
        int n = 0;
        if (iw >= GRID && ih >= GRID) {
            for (int gy = 0; gy < GRID; gy++) {
                for (int gx = 0; gx < GRID; gx++) {
                    int x0 = ix + gx * iw / GRID;
                    int x1 = ix + (gx + 1) * iw / GRID;
                    int y0 = iy + gy * ih / GRID;
                    int y1 = iy + (gy + 1) * ih / GRID;
                    double cell = 0;
                    int cellCount = 0;
                    for (int py = y0; py < y1; py++) {
                        for (int px = x0; px < x1; px++) {
                            double lum = luminance(image.getRGB(px, py));
                            cell += lum;
                            sum += lum;
                            sumSquares += lum * lum;
                            cellCount++;
                            n++;
                        }
                    }
                    cells[gy * GRID + gx] = cellCount == 0 ? 0 : cell / cellCount;
                }
            }
        }
        double mean = n == 0 ? 0 : sum / n;
        double spread = n == 0 ? 0 : Math.sqrt(Math.max(0, sumSquares / n - mean * mean));
        double cellMean = Arrays.stream(cells).average().orElse(0);
        double[] signature = new double[cells.length];
        double norm = 0;
        for (int i = 0; i < cells.length; i++) {
            signature[i] = cells[i] - cellMean;
            norm += signature[i] * signature[i];
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < signature.length; i++) {
            signature[i] = norm == 0 ? 0 : signature[i] / norm;
        }
        List<String> problems = new ArrayList<>();
        if (Math.min(bw, bh) < SMALL_FACE_PIXELS) {
            problems.add("SMALL_BOUNDING_BOX");
        }
        if (mean < DARK_MEAN) {
            problems.add("LOW_BRIGHTNESS");
        }
        if (spread < FLAT_SPREAD) {
            problems.add("LOW_SHARPNESS");
        }
        return new Face(x, y, bw, bh, image.getWidth(), image.getHeight(), signature, List.copyOf(problems));
    }

    private static boolean isMarker(int rgb) {
        int r = (rgb >> 16) & 0xFF;
        int g = (rgb >> 8) & 0xFF;
        int b = rgb & 0xFF;
        return g >= 150 && g - Math.max(r, b) >= 100;
    }

    private static double luminance(int rgb) {
        return 0.299 * ((rgb >> 16) & 0xFF) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF);
    }

    /**
     * Draws the face {@code identity} as a {@code size}-pixel square at ({@code x}, {@code y}): a green frame around a
     * smooth grey pattern that only the identity decides. {@code contrast} 1 is a clear face; near 0 a washed-out one
     * that the quality filter refuses.
     */
    public static BufferedImage draw(BufferedImage canvas, int x, int y, int size, long identity, double contrast) {
        int thickness = Math.max(4, size / 12);
        Random random = new Random(identity);
        int waves = 4;
        double[] fx = new double[waves];
        double[] fy = new double[waves];
        double[] phase = new double[waves];
        double[] amplitude = new double[waves];
        for (int i = 0; i < waves; i++) {
            fx[i] = 0.5 + random.nextDouble() * 2.5;
            fy[i] = 0.5 + random.nextDouble() * 2.5;
            phase[i] = random.nextDouble() * 2 * Math.PI;
            amplitude[i] = 20 + random.nextDouble() * 25;
        }
        for (int py = 0; py < size; py++) {
            for (int px = 0; px < size; px++) {
                int rgb;
                if (px < thickness || py < thickness || px >= size - thickness || py >= size - thickness) {
                    rgb = MARKER_RGB;
                } else {
                    double u = (double) (px - thickness) / (size - 2 * thickness);
                    double v = (double) (py - thickness) / (size - 2 * thickness);
                    double value = 0;
                    for (int i = 0; i < waves; i++) {
                        value += amplitude[i] * Math.cos(2 * Math.PI * (fx[i] * u + fy[i] * v) + phase[i]);
                    }
                    int grey = (int) Math.max(0, Math.min(255, 140 + contrast * value));
                    rgb = grey << 16 | grey << 8 | grey;
                }
                if (x + px < canvas.getWidth() && y + py < canvas.getHeight()) {
                    canvas.setRGB(x + px, y + py, rgb);
                }
            }
        }
        return canvas;
    }

    /** A clear face {@code identity} drawn at full contrast. */
    public static BufferedImage draw(BufferedImage canvas, int x, int y, int size, long identity) {
        return draw(canvas, x, y, size, identity, 1.0);
    }
}
