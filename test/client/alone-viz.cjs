/**
 * @vae/viz alone (with @vae/core, tfjs-core and the cpu backend), through `require`: viz's CommonJS build loads
 * the ESM-only fast-png with Node's require(esm) (Node 20.19+). Tiles a tensor batch into a grid, round-trips it
 * through PNG and draws an SVG chart. Prints `RESULT <json>`.
 */
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const { decodePng, encodePng, imageGrid, lineChartSvg, tensorToImageBatch } = require('@vae/viz');

async function main() {
  await tf.setBackend('cpu');
  const images = tf.reshape(tf.linspace(0, 1, 4 * 3 * 3), [4, 3, 3, 1]);
  const grid = imageGrid(await tensorToImageBatch(images), { columns: 2, padding: 1 });
  const png = encodePng(grid);
  const decoded = decodePng(png);
  const svg = lineChartSvg({
    series: [
      {
        name: 'loss',
        points: [
          [1, 3],
          [2, 2],
        ],
      },
    ],
  });
  images.dispose();
  console.log(
    `RESULT ${JSON.stringify({
      client: 'viz',
      grid: [grid.width, grid.height, grid.channels],
      pngSignature: Array.from(png.subarray(0, 8)),
      roundTrip: decoded.width === grid.width && Buffer.from(decoded.data).equals(Buffer.from(grid.data)),
      svg: svg.startsWith('<svg'),
    })}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
