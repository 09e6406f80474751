def upload(r):
    pass


job_detail = job_confirm = job_error_file = template_download = export = job_progress = upload
