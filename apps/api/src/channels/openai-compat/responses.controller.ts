import { Body, Controller, Delete, Get, Headers, Ip, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiKeysService } from '@api/admin/api-keys.service.js';
import { ConversationsService, type ItemList } from './conversations.service.js';
import { authorizeOpenAI } from './openai-auth.js';
import { OpenAIErrorFilter, parseOpenAI } from './openai-errors.js';
import { ResponsesService } from './responses.service.js';
import { AddItemsBody, CreateConversationBody, ListItemsQuery, ResponseBody, UpdateConversationBody } from './responses.schema.js';

type RequestHeaders = Record<string, string | undefined>;

/** The Responses API subset conversation state needs: create (streamed or not), retrieve, delete. */
@Controller('v1/responses')
@UseFilters(OpenAIErrorFilter)
export class ResponsesController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly responses: ResponsesService,
  ) {}

  @Post()
  async create(@Headers() headers: RequestHeaders, @Ip() ip: string, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const caller = await authorizeOpenAI(this.keys, headers.authorization, ip);
    const response = await this.responses.create(caller, parseOpenAI(ResponseBody, body), headers['x-session-id'], reply);
    if (response) await reply.send(response);
  }

  @Get(':id')
  async retrieve(@Headers() headers: RequestHeaders, @Ip() ip: string, @Param('id') id: string): Promise<Record<string, unknown>> {
    return this.responses.retrieve(await authorizeOpenAI(this.keys, headers.authorization, ip), id);
  }

  @Delete(':id')
  async delete(@Headers() headers: RequestHeaders, @Ip() ip: string, @Param('id') id: string): Promise<{ id: string; object: 'response'; deleted: boolean }> {
    return this.responses.delete(await authorizeOpenAI(this.keys, headers.authorization, ip), id);
  }
}

/** The Conversations API: a conversation is a named Threadline thread; its items are the thread's messages. */
@Controller('v1/conversations')
@UseFilters(OpenAIErrorFilter)
export class ConversationsController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly conversations: ConversationsService,
  ) {}

  @Post()
  async create(@Headers() headers: RequestHeaders, @Ip() ip: string, @Body() body: unknown) {
    const caller = await authorizeOpenAI(this.keys, headers.authorization, ip);
    const { items, metadata } = parseOpenAI(CreateConversationBody, body);
    return this.conversations.create(caller, items ?? [], metadata ?? {});
  }

  @Get(':id')
  async retrieve(@Headers() headers: RequestHeaders, @Ip() ip: string, @Param('id') id: string) {
    return this.conversations.retrieve(await authorizeOpenAI(this.keys, headers.authorization, ip), id);
  }

  /** OpenAI updates a conversation's metadata with a POST to the conversation. */
  @Post(':id')
  async update(@Headers() headers: RequestHeaders, @Ip() ip: string, @Param('id') id: string, @Body() body: unknown) {
    const caller = await authorizeOpenAI(this.keys, headers.authorization, ip);
    return this.conversations.update(caller, id, parseOpenAI(UpdateConversationBody, body).metadata);
  }

  @Delete(':id')
  async delete(@Headers() headers: RequestHeaders, @Ip() ip: string, @Param('id') id: string) {
    return this.conversations.delete(await authorizeOpenAI(this.keys, headers.authorization, ip), id);
  }

  @Get(':id/items')
  async listItems(@Headers() headers: RequestHeaders, @Ip() ip: string, @Param('id') id: string, @Query() query: unknown): Promise<ItemList> {
    const caller = await authorizeOpenAI(this.keys, headers.authorization, ip);
    return this.conversations.listItems(caller, id, parseOpenAI(ListItemsQuery, query));
  }

  @Post(':id/items')
  async addItems(@Headers() headers: RequestHeaders, @Ip() ip: string, @Param('id') id: string, @Body() body: unknown): Promise<ItemList> {
    const caller = await authorizeOpenAI(this.keys, headers.authorization, ip);
    return this.conversations.addItems(caller, id, parseOpenAI(AddItemsBody, body).items);
  }
}
