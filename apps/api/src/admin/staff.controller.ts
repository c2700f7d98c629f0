import { Body, Controller, Delete, Get, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { CreateStaffBody, UpdateStaffBody, type CreateStaffResponse, type StaffMemberDto } from '@threadline/contracts';
import { ApiError } from '@api/common/api-error.js';
import { parseInput } from '@api/common/validate.js';
import { AdminGuard, MinRole, type AdminRequest } from './admin.guard.js';
import { AuditService } from './audit.service.js';
import { sha256 } from './secrets.js';
import { STAFF_COOKIE } from './staff-auth.service.js';
import { StaffService } from './staff.service.js';

/** Admins manage staff accounts; every change is audited (never with the password). */
@Controller('api/admin/staff')
@UseGuards(AdminGuard)
export class StaffController {
  constructor(
    private readonly staff: StaffService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @MinRole('admin')
  list(): Promise<StaffMemberDto[]> {
    return this.staff.list();
  }

  @Post()
  @MinRole('admin')
  async create(@Body() body: unknown, @Req() request: AdminRequest): Promise<CreateStaffResponse> {
    const { email, role, password } = parseInput(CreateStaffBody, body);
    const created = await this.staff.create(email, role, password);
    await this.audit.record(request.principal!, 'staff.create', created.staff.id, { email: created.staff.email, role });
    return created;
  }

  @Patch(':id')
  @MinRole('admin')
  async update(@Param('id') id: string, @Body() body: unknown, @Req() request: AdminRequest): Promise<StaffMemberDto> {
    const changes = parseInput(UpdateStaffBody, body);
    const own = isSelf(request, id) ? request.cookies?.[STAFF_COOKIE] : undefined;
    const updated = await this.staff.update(id, changes, own ? sha256(own) : null);
    await this.audit.record(request.principal!, 'staff.update', id, {
      email: updated.email,
      ...(changes.role ? { role: changes.role } : {}),
      ...(changes.password ? { passwordChanged: true } : {}),
    });
    return updated;
  }

  @Delete(':id')
  @MinRole('admin')
  async remove(@Param('id') id: string, @Req() request: AdminRequest): Promise<StaffMemberDto> {
    if (isSelf(request, id)) throw new ApiError('conflict', 'you cannot remove your own account');
    const removed = await this.staff.remove(id);
    await this.audit.record(request.principal!, 'staff.delete', id, { email: removed.email, role: removed.role });
    return removed;
  }
}

function isSelf(request: AdminRequest, id: string): boolean {
  const principal = request.principal;
  return principal?.kind === 'staff' && principal.staff.id === id;
}
