import type { InjectionToken, Type } from '@nestjs/common';

export interface KbCurrentPage {
  canonicalUrl: string;
  title?: string;
  lastActionLabel?: string;
}

/** Where a user is in the product right now (KB_PAGE_CONTEXT); the activity store implements it. */
export interface KbPageContextProvider {
  currentPage(userId: string): Promise<KbCurrentPage | undefined>;
}

/** How KbModule.register binds KB_PAGE_CONTEXT: a class, an existing token, a factory or a value. */
export type KbPageContextBinding =
  | { useClass: Type<KbPageContextProvider> }
  | { useExisting: InjectionToken }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same signature as Nest's FactoryProvider
  | { useFactory: (...args: any[]) => KbPageContextProvider | Promise<KbPageContextProvider>; inject?: InjectionToken[] }
  | { useValue: KbPageContextProvider };
