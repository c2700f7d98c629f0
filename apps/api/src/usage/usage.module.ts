import { Global, Module } from '@nestjs/common';
import { PriceBook } from './price-book.js';

@Global()
@Module({ providers: [{ provide: PriceBook, useFactory: () => new PriceBook() }], exports: [PriceBook] })
export class UsageModule {}
