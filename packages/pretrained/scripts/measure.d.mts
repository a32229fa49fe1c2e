import type { ProbabilisticAutoencoder } from '@vae/core';
import type { ImageDataset } from '@vae/data';

export const TEST_COUNT: number;
export const MEASURE_SEED: number;
export function fashionMnistDirectory(): string | undefined;
export function freyFaceDirectory(): string | undefined;
export function dataDirectory(dataset: string): string | undefined;
export function haveTestImages(dataset: string): boolean;
export function testDescription(dataset: string, count?: number): string;
export function testImages(dataset: string, count?: number): Promise<ImageDataset>;
export const MIG_POINTS: number;
export const IMPORTANCE_SAMPLES: number;
export function measure(
  model: ProbabilisticAutoencoder,
  images: ImageDataset,
  dataset: string,
  options?: { importanceSamples?: number },
): Promise<{
  negativeElbo: number;
  reconstruction: number;
  kl: number;
  activeUnits: number;
  isNll?: number;
  mig?: number;
}>;
